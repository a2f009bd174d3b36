import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Clip from '#models/clip'
import { numeric } from '#models/columns'

export const CLIP_ASSET_KINDS = [
  'raw',
  'video',
  'keypoints',
  'metadata',
  'thumbnail',
  'preview',
  // What the anonymizer blurred, per frame: admins only (moderation), never delivered.
  'regions',
] as const
export type ClipAssetKind = (typeof CLIP_ASSET_KINDS)[number]

/** The logical buckets an asset can sit in (core/storage_service.ts creates exactly these). */
export type AssetBucket = 'raw' | 'processed' | 'previews'

/** One stored object of a clip; at most one per kind. */
export default class ClipAsset extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare clipId: string

  @column()
  declare kind: ClipAssetKind

  /** Logical bucket (raw | processed | previews); StorageService adds the instance prefix. */
  @column()
  declare bucket: AssetBucket

  @column()
  declare key: string

  @column(numeric)
  declare bytes: number

  @column({ columnName: 'sha256' })
  declare sha256: string

  @column()
  declare contentType: string

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @belongsTo(() => Clip)
  declare clip: BelongsTo<typeof Clip>
}
