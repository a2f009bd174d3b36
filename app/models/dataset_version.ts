import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import { BaseModel, beforeCreate, belongsTo, column, hasMany, manyToMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany, ManyToMany } from '@adonisjs/lucid/types/relations'
import Clip from '#models/clip'
import Dataset, { type LicenceType } from '#models/dataset'
import Licence from '#models/licence'
import Order from '#models/order'
import { jsonb } from '#models/columns'

export interface DatasetVersionStats {
  clips: number
  duration_ms: number
  people: number
  keypoint_frames: number
}

/**
 * What a buyer licenses: the clip list, manifest hash, price and licence type as they were at
 * publication. Append-only in the database; a change to the dataset publishes a new version.
 * Pivot rows carry `position` and `seconds` (the creators' split of a sale).
 */
export default class DatasetVersion extends BaseModel {
  static selfAssignPrimaryKey = true

  @column({ isPrimary: true })
  declare id: string

  @column()
  declare datasetId: string

  @column()
  declare version: number

  @column(jsonb)
  declare manifest: Record<string, unknown>

  @column({ columnName: 'manifest_sha256' })
  declare manifestSha256: string

  @column(jsonb)
  declare stats: DatasetVersionStats

  @column()
  declare priceCents: number

  @column()
  declare currency: string

  @column()
  declare licenceType: LicenceType

  @column.dateTime({ autoCreate: true })
  declare publishedAt: DateTime

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @belongsTo(() => Dataset)
  declare dataset: BelongsTo<typeof Dataset>

  @manyToMany(() => Clip, {
    pivotTable: 'dataset_version_clips',
    pivotForeignKey: 'dataset_version_id',
    pivotRelatedForeignKey: 'clip_id',
    pivotColumns: ['position', 'seconds'],
  })
  declare clips: ManyToMany<typeof Clip>

  @hasMany(() => Order)
  declare orders: HasMany<typeof Order>

  @hasMany(() => Licence)
  declare licences: HasMany<typeof Licence>

  @beforeCreate()
  static assignId(version: DatasetVersion) {
    version.id ??= randomUUID()
  }
}
