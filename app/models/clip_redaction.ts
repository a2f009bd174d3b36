import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Clip from '#models/clip'
import User from '#models/user'
import { jsonb } from '#models/columns'

export const REDACTION_STATUSES = ['tracking', 'tracked', 'rendering', 'done', 'failed', 'cancelled'] as const
export type RedactionStatus = (typeof REDACTION_STATUSES)[number]
/** A redaction still being prepared or applied: at most one per clip is open at a time. */
export const OPEN_REDACTION_STATUSES: RedactionStatus[] = ['tracking', 'tracked', 'rendering']

export interface RedactionBox {
  x: number
  y: number
  width: number
  height: number
}

/** One tracked frame: `[frame, x, y, w, h, lost]` in output pixels (lost: held, not matched). */
export type TrackedRow = [number, number, number, number, number, boolean]

/** A reviewer's manual redaction of a processed clip (migration 0025 says how it moves on). */
export default class ClipRedaction extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare clipId: string

  @column()
  declare adminId: number

  @column()
  declare status: RedactionStatus

  @column()
  declare anchorFrame: number

  @column(jsonb)
  declare box: RedactionBox

  @column()
  declare startFrame: number

  @column()
  declare endFrame: number

  @column({ prepare: (value: unknown) => (value === null ? null : jsonb.prepare(value)) })
  declare track: TrackedRow[] | null

  @column()
  declare source: 'raw' | 'anonymized' | null

  @column()
  declare errorMessage: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @column.dateTime()
  declare renderedAt: DateTime | null

  @belongsTo(() => Clip)
  declare clip: BelongsTo<typeof Clip>

  @belongsTo(() => User, { foreignKey: 'adminId' })
  declare admin: BelongsTo<typeof User>
}
