import { randomUUID } from 'node:crypto'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import LedgerEntry from '#models/ledger_entry'
import type Order from '#models/order'
import type Transfer from '#models/transfer'
import { splitSale, type CreatorWeight, type SaleSplit } from '#services/ledger_split'

export { splitSale } from '#services/ledger_split'

/**
 * The money trail of orders, as balanced double-entry groups (debits negative, credits
 * positive). Every method runs in the caller's transaction and checks the balance before it
 * returns: a group that does not sum to zero throws there, and the caller's work rolls back.
 */
export class LedgerService {
  /**
   * The creators of a version's clips licensable at this moment, and their seconds (what the
   * creators' share follows): a clip withdrawn since publication earns its creator nothing.
   */
  async creatorWeights(datasetVersionId: string, trx: TransactionClientContract): Promise<CreatorWeight[]> {
    const rows: { user_id: number; seconds: string }[] = await trx
      .from('dataset_version_clips')
      .join('clips', 'clips.id', 'dataset_version_clips.clip_id')
      .join('dataset_versions', 'dataset_versions.id', 'dataset_version_clips.dataset_version_id')
      .where('dataset_version_clips.dataset_version_id', datasetVersionId)
      .whereRaw('clip_licensing_problem(dataset_version_clips.clip_id, dataset_versions.licence_type) IS NULL')
      .groupBy('clips.user_id')
      .select('clips.user_id')
      .sum('dataset_version_clips.seconds as seconds')
    return rows.map((row) => ({ creatorId: row.user_id, seconds: Number(row.seconds) }))
  }

  /** How a paid order's amount is shared, from the version's clips and the commission. */
  async splitFor(order: Order, commissionBps: number, trx: TransactionClientContract) {
    return splitSale(order.amountCents, commissionBps, await this.creatorWeights(order.datasetVersionId, trx))
  }

  /** Cash in; the platform fee and each creator's share credited. One group per sale. */
  async recordSale(order: Order, split: SaleSplit, trx: TransactionClientContract) {
    const entry = { groupId: randomUUID(), orderId: order.id, currency: order.currency }
    const rows = [
      { ...entry, kind: 'sale' as const, account: 'cash' as const, userId: null, amountCents: -split.amountCents, memo: `Checkout ${order.stripeCheckoutSessionId}` },
      { ...entry, kind: 'platform_fee' as const, account: 'platform_revenue' as const, userId: null, amountCents: split.platformFeeCents, memo: 'Platform fee' },
      ...split.shares.map((share) => ({
        ...entry,
        kind: 'creator_share' as const,
        account: 'creator_payable' as const,
        userId: share.creatorId,
        amountCents: share.cents,
        memo: 'Share by clip seconds',
      })),
    ].filter((row) => row.amountCents !== 0)
    if (rows.length) await LedgerEntry.createMany(rows, { client: trx })
    await LedgerEntry.assertBalanced(trx)
    return entry.groupId
  }

  /** A transfer sent: the creator's payable leaves the platform's cash. */
  async recordTransfer(transfer: Transfer, trx: TransactionClientContract) {
    const entry = { groupId: randomUUID(), orderId: transfer.orderId, transferId: transfer.id, currency: transfer.currency, kind: 'transfer' as const }
    await LedgerEntry.createMany(
      [
        { ...entry, account: 'creator_payable', userId: transfer.creatorId, amountCents: -transfer.amountCents, memo: `Transfer ${transfer.stripeTransferId}` },
        { ...entry, account: 'cash', userId: null, amountCents: transfer.amountCents, memo: `Transfer ${transfer.stripeTransferId}` },
      ],
      { client: trx }
    )
    await LedgerEntry.assertBalanced(trx)
  }

  /** A refund: the sale group written again with every sign flipped. */
  async reverseSale(order: Order, trx: TransactionClientContract) {
    const sale = await LedgerEntry.query({ client: trx })
      .where('order_id', order.id)
      .whereIn('kind', ['sale', 'platform_fee', 'creator_share'])
      .orderBy('id')
    const groupId = randomUUID()
    if (sale.length) {
      await LedgerEntry.createMany(
        sale.map((row) => ({
          groupId,
          kind: 'reversal' as const,
          account: row.account,
          userId: row.userId,
          orderId: order.id,
          amountCents: -row.amountCents,
          currency: row.currency,
          memo: `Refund of ${row.kind.replace('_', ' ')}`,
        })),
        { client: trx }
      )
    }
    await LedgerEntry.assertBalanced(trx)
    return groupId
  }

  /** A transfer reversed: the money comes back from the creator's account to the platform. */
  async reverseTransfer(transfer: Transfer, trx: TransactionClientContract) {
    const entry = { groupId: randomUUID(), orderId: transfer.orderId, transferId: transfer.id, currency: transfer.currency, kind: 'reversal' as const }
    await LedgerEntry.createMany(
      [
        { ...entry, account: 'cash', userId: null, amountCents: -transfer.amountCents, memo: `Reversal ${transfer.stripeReversalId}` },
        { ...entry, account: 'creator_payable', userId: transfer.creatorId, amountCents: transfer.amountCents, memo: `Reversal ${transfer.stripeReversalId}` },
      ],
      { client: trx }
    )
    await LedgerEntry.assertBalanced(trx)
  }
}
