import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import { BaseModel, beforeCreate, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import Clip from '#models/clip'
import { jsonb, numeric } from '#models/columns'

export const UPLOAD_STATUSES = ['receiving', 'accepted', 'cancelled'] as const
export type UploadStatus = (typeof UPLOAD_STATUSES)[number]

/** What the creator typed about the clip, carried by the upload until the clip exists. */
export interface UploadClipFields {
  title: string
  sport: string
  activity: string | null
  skillLevel: string | null
  cameraAngle: string | null
  venueType: string | null
  recordedOn: string | null
  tags: string[]
  contentType: string
}

/**
 * A resumable upload in progress (tus). See database/migrations/0008_create_uploads_table.ts.
 */
export default class Upload extends BaseModel {
  static selfAssignPrimaryKey = true

  @column({ isPrimary: true })
  declare id: string

  @column()
  declare userId: number

  @column()
  declare consentRecordId: number

  @column()
  declare filename: string

  @column(numeric)
  declare length: number

  @column(numeric)
  declare offset: number

  @column(jsonb)
  declare metadata: UploadClipFields

  @column()
  declare status: UploadStatus

  @column()
  declare clipId: string | null

  @column.dateTime()
  declare expiresAt: DateTime

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>

  @belongsTo(() => Clip)
  declare clip: BelongsTo<typeof Clip>

  @beforeCreate()
  static assignId(upload: Upload) {
    upload.id ??= randomUUID()
  }
}
