import { DateTime } from 'luxon'
import { BaseModel, beforeCreate, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import { bodySha256 } from '#models/columns'
import ConsentRecord from '#models/consent_record'

/** A published consent form. Never edited: a change is a new version (a trigger enforces it). */
export default class ConsentText extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare version: number

  @column()
  declare title: string

  @column()
  declare body: string

  /** Hex SHA-256 of the UTF-8 body; a CHECK constraint verifies it. */
  @column({ columnName: 'sha256' })
  declare sha256: string

  @column.dateTime({ autoCreate: true })
  declare publishedAt: DateTime

  @column()
  declare publishedBy: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @belongsTo(() => User, { foreignKey: 'publishedBy' })
  declare publisher: BelongsTo<typeof User>

  @hasMany(() => ConsentRecord)
  declare consentRecords: HasMany<typeof ConsentRecord>

  static hashBody(body: string) {
    return bodySha256(body)
  }

  @beforeCreate()
  static fillHash(text: ConsentText) {
    text.sha256 = ConsentText.hashBody(text.body)
  }
}
