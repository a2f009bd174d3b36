import { DateTime } from 'luxon'
import { BaseModel, beforeCreate, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import { jsonb } from '#models/columns'

/**
 * Who did what to which record. Append-only in the database. `subjectId` is text so that
 * integer and uuid ids share the column.
 */
export default class AuditLog extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  /** Null for the system itself (CLI, jobs, webhooks). */
  @column()
  declare actorId: number | null

  @column()
  declare action: string

  @column()
  declare subjectType: string | null

  @column()
  declare subjectId: string | null

  @column(jsonb)
  declare meta: Record<string, unknown>

  @column()
  declare ip: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @belongsTo(() => User, { foreignKey: 'actorId' })
  declare actor: BelongsTo<typeof User>

  @beforeCreate()
  static applyDefaults(log: AuditLog) {
    log.meta ??= {}
  }
}
