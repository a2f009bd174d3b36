import { DateTime } from 'luxon'
import { BaseModel, beforeCreate, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import { bodySha256 } from '#models/columns'
import type { LicenceType } from '#models/dataset'

/**
 * A published licence wording for one licence type. Never edited: a change is a new version
 * (a trigger enforces it), and each licence cites the version its buyer agreed to.
 */
export default class LicenceText extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare licenceType: LicenceType

  @column()
  declare version: number

  @column()
  declare title: string

  /** Markdown, delivered byte for byte as LICENCE.md. */
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

  static hashBody(body: string) {
    return bodySha256(body)
  }

  @beforeCreate()
  static fillHash(text: LicenceText) {
    text.sha256 = LicenceText.hashBody(text.body)
  }
}
