import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import { BaseModel, beforeCreate, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import DatasetVersion from '#models/dataset_version'
import Download from '#models/download'
import Order from '#models/order'
import LicenceText from '#models/licence_text'
import type { LicenceType } from '#models/dataset'

export const LICENCE_SOURCES = ['purchase', 'free', 'grant'] as const
export type LicenceSource = (typeof LICENCE_SOURCES)[number]

/**
 * A buyer's right to one dataset version: bought, claimed free, or granted by an admin.
 * At most one unrevoked licence per buyer and version (partial unique index).
 */
export default class Licence extends BaseModel {
  static selfAssignPrimaryKey = true

  @column({ isPrimary: true })
  declare id: string

  @column()
  declare buyerId: number

  @column()
  declare datasetVersionId: string

  @column()
  declare orderId: string | null

  @column()
  declare source: LicenceSource

  @column()
  declare licenceType: LicenceType

  /**
   * The licence text the buyer agreed to (for an admin's grant, the type's current one), with
   * its version and hash; a composite foreign key keeps the three matching a published text.
   */
  @column()
  declare licenceTextId: number

  @column()
  declare termsVersion: number

  @column({ columnName: 'terms_sha256' })
  declare termsSha256: string

  @column()
  declare grantedBy: number | null

  /** Clips of the version no longer licensable when this licence was issued (not part of it). */
  @column()
  declare excludedClips: number

  @column.dateTime()
  declare revokedAt: DateTime | null

  @column()
  declare revokeReason: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => User, { foreignKey: 'buyerId' })
  declare buyer: BelongsTo<typeof User>

  @belongsTo(() => DatasetVersion)
  declare datasetVersion: BelongsTo<typeof DatasetVersion>

  @belongsTo(() => Order)
  declare order: BelongsTo<typeof Order>

  @belongsTo(() => LicenceText)
  declare licenceText: BelongsTo<typeof LicenceText>

  @belongsTo(() => User, { foreignKey: 'grantedBy' })
  declare granter: BelongsTo<typeof User>

  @hasMany(() => Download)
  declare downloads: HasMany<typeof Download>

  get isActive() {
    return this.revokedAt === null
  }

  @beforeCreate()
  static assignId(licence: Licence) {
    licence.id ??= randomUUID()
  }
}
