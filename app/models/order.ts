import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import { BaseModel, beforeCreate, belongsTo, column, hasMany, hasOne } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany, HasOne } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import DatasetVersion from '#models/dataset_version'
import LedgerEntry from '#models/ledger_entry'
import Licence from '#models/licence'
import Transfer from '#models/transfer'

export const ORDER_STATUSES = ['pending', 'paid', 'refunded', 'cancelled', 'failed'] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

/** A buyer's purchase of one dataset version through Stripe Checkout. */
export default class Order extends BaseModel {
  static selfAssignPrimaryKey = true

  @column({ isPrimary: true })
  declare id: string

  @column()
  declare buyerId: number

  @column()
  declare datasetVersionId: string

  @column()
  declare amountCents: number

  @column()
  declare currency: string

  @column()
  declare platformFeeCents: number

  @column()
  declare status: OrderStatus

  /** The licence text the buyer agreed to at checkout; the paid order's licence cites it. */
  @column()
  declare licenceTextId: number | null

  @column()
  declare stripeCheckoutSessionId: string | null

  @column()
  declare stripePaymentIntentId: string | null

  @column()
  declare stripeChargeId: string | null

  @column.dateTime()
  declare paidAt: DateTime | null

  @column.dateTime()
  declare refundedAt: DateTime | null

  /** Refunded of the charge so far (Stripe's running total); the whole amount once refunded. */
  @column()
  declare refundedCents: number

  @column()
  declare stripeDisputeId: string | null

  /** Stripe's status of the charge's dispute, as last reported; null when never disputed. */
  @column()
  declare disputeStatus: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => User, { foreignKey: 'buyerId' })
  declare buyer: BelongsTo<typeof User>

  @belongsTo(() => DatasetVersion)
  declare datasetVersion: BelongsTo<typeof DatasetVersion>

  @hasOne(() => Licence)
  declare licence: HasOne<typeof Licence>

  @hasMany(() => Transfer)
  declare transfers: HasMany<typeof Transfer>

  @hasMany(() => LedgerEntry)
  declare ledgerEntries: HasMany<typeof LedgerEntry>

  @beforeCreate()
  static assignIdAndDefaults(order: Order) {
    order.id ??= randomUUID()
    order.status ??= 'pending'
    order.platformFeeCents ??= 0
  }
}
