import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import { jsonb } from '#models/columns'

/**
 * One instance setting (key → JSON value). Defaults and typed access live in
 * `SettingsStore`; this model is for admin screens that list or audit the rows.
 */
export default class Setting extends BaseModel {
  static selfAssignPrimaryKey = true

  @column({ isPrimary: true })
  declare key: string

  @column(jsonb)
  declare value: unknown

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @column()
  declare updatedBy: number | null

  @belongsTo(() => User, { foreignKey: 'updatedBy' })
  declare updater: BelongsTo<typeof User>
}
