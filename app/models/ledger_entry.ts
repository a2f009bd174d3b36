import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import User from '#models/user'
import Order from '#models/order'
import Transfer from '#models/transfer'
import { numeric } from '#models/columns'

export const LEDGER_ENTRY_KINDS = [
  'sale',
  'platform_fee',
  'creator_share',
  'transfer',
  'reversal',
  'refund',
  'dispute',
] as const
export type LedgerEntryKind = (typeof LEDGER_ENTRY_KINDS)[number]

/**
 * Accounts the entries move money between; `creator_payable` rows carry the creator's user id.
 * `disputed_funds`: what Stripe withdrew for an open dispute, until the dispute is won (it comes
 * back to cash) or lost (the sale is written off against it).
 */
export const LEDGER_ACCOUNTS = ['cash', 'platform_revenue', 'creator_payable', 'disputed_funds'] as const
export type LedgerAccount = (typeof LEDGER_ACCOUNTS)[number]

/**
 * One line of a double-entry group. Debits are negative, credits positive; the entries of a
 * `groupId` must sum to zero when the transaction commits (a deferred constraint trigger
 * refuses it otherwise). Append-only: a correction is a `reversal` group.
 */
export default class LedgerEntry extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare groupId: string

  @column()
  declare kind: LedgerEntryKind

  @column()
  declare account: LedgerAccount

  @column()
  declare userId: number | null

  @column()
  declare orderId: string | null

  @column()
  declare transferId: number | null

  @column(numeric)
  declare amountCents: number

  @column()
  declare currency: string

  @column()
  declare memo: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>

  @belongsTo(() => Order)
  declare order: BelongsTo<typeof Order>

  @belongsTo(() => Transfer)
  declare transfer: BelongsTo<typeof Transfer>

  /**
   * Runs the balance check now instead of at COMMIT. Call it last in every transaction that
   * writes ledger entries: knex (3.3) resolves `commit()` even when PostgreSQL refuses the
   * COMMIT, so a group refused there would roll back while the caller believes it was saved.
   * Deferral is restored afterwards, so a later group may again be written row by row.
   */
  static async assertBalanced(trx: TransactionClientContract) {
    await trx.rawQuery('SET CONSTRAINTS ledger_entries_balanced IMMEDIATE')
    await trx.rawQuery('SET CONSTRAINTS ledger_entries_balanced DEFERRED')
  }
}
