import { DateTime } from 'luxon'
import { BaseModel, beforeCreate, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import LedgerEntry from '#models/ledger_entry'
import Order from '#models/order'

export const TRANSFER_STATUSES = ['pending', 'paid', 'failed', 'reversed'] as const
export type TransferStatus = (typeof TRANSFER_STATUSES)[number]

/**
 * A creator's share of one order, sent to their connected Stripe account. `pending` while the
 * account is not ready; one per creator per order.
 */
export default class Transfer extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare creatorId: number

  @column()
  declare orderId: string

  @column()
  declare amountCents: number

  @column()
  declare currency: string

  @column()
  declare status: TransferStatus

  @column()
  declare stripeTransferId: string | null

  @column()
  declare stripeReversalId: string | null

  /** The charge funding the transfer, so Stripe does not wait for the available balance. */
  @column()
  declare sourceTransaction: string | null

  @column()
  declare failureReason: string | null

  /** Stripe refusals so far; each spends an idempotency key (see sendTransfer). */
  @column()
  declare refusals: number

  /** Taken back from the creator's account so far (partial refunds, then the rest). */
  @column()
  declare reversedCents: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => User, { foreignKey: 'creatorId' })
  declare creator: BelongsTo<typeof User>

  @belongsTo(() => Order)
  declare order: BelongsTo<typeof Order>

  @hasMany(() => LedgerEntry)
  declare ledgerEntries: HasMany<typeof LedgerEntry>

  @beforeCreate()
  static applyDefaults(transfer: Transfer) {
    transfer.status ??= 'pending'
  }
}
