import { randomUUID } from 'node:crypto'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import LedgerEntry, { type LedgerAccount } from '#models/ledger_entry'
import type Order from '#models/order'
import type Transfer from '#models/transfer'
import { splitSale, type CreatorWeight, type SaleSplit } from '#app/commerce/ledger_split'

export { splitSale } from '#app/commerce/ledger_split'

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
  async creatorWeights(
    datasetVersionId: string,
    trx: TransactionClientContract
  ): Promise<CreatorWeight[]> {
    const rows: { user_id: number; seconds: string }[] = await trx
      .from('dataset_version_clips')
      .join('clips', 'clips.id', 'dataset_version_clips.clip_id')
      .join('dataset_versions', 'dataset_versions.id', 'dataset_version_clips.dataset_version_id')
      .where('dataset_version_clips.dataset_version_id', datasetVersionId)
      .whereRaw(
        'clip_licensing_problem(dataset_version_clips.clip_id, dataset_versions.licence_type) IS NULL'
      )
      .groupBy('clips.user_id')
      .select('clips.user_id')
      .sum('dataset_version_clips.seconds as seconds')
    return rows.map((row) => ({ creatorId: row.user_id, seconds: Number(row.seconds) }))
  }

  /** How a paid order's amount is shared, from the version's clips and the commission. */
  async splitFor(order: Order, commissionBps: number, trx: TransactionClientContract) {
    return splitSale(
      order.amountCents,
      commissionBps,
      await this.creatorWeights(order.datasetVersionId, trx)
    )
  }

  /** Cash in; the platform fee and each creator's share credited. One group per sale. */
  async recordSale(order: Order, split: SaleSplit, trx: TransactionClientContract) {
    const entry = { groupId: randomUUID(), orderId: order.id, currency: order.currency }
    const rows = [
      {
        ...entry,
        kind: 'sale' as const,
        account: 'cash' as const,
        userId: null,
        amountCents: -split.amountCents,
        memo: `Checkout ${order.stripeCheckoutSessionId}`,
      },
      {
        ...entry,
        kind: 'platform_fee' as const,
        account: 'platform_revenue' as const,
        userId: null,
        amountCents: split.platformFeeCents,
        memo: 'Platform fee',
      },
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
    const entry = {
      groupId: randomUUID(),
      orderId: transfer.orderId,
      transferId: transfer.id,
      currency: transfer.currency,
      kind: 'transfer' as const,
    }
    await LedgerEntry.createMany(
      [
        {
          ...entry,
          account: 'creator_payable',
          userId: transfer.creatorId,
          amountCents: -transfer.amountCents,
          memo: `Transfer ${transfer.stripeTransferId}`,
        },
        {
          ...entry,
          account: 'cash',
          userId: null,
          amountCents: transfer.amountCents,
          memo: `Transfer ${transfer.stripeTransferId}`,
        },
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

  /**
   * A transfer reversed, in whole or (after a partial refund) in part: the money comes back
   * from the creator's account to the platform.
   */
  async reverseTransfer(
    transfer: Transfer,
    trx: TransactionClientContract,
    amountCents = transfer.amountCents,
    reversalId = transfer.stripeReversalId
  ) {
    const entry = {
      groupId: randomUUID(),
      orderId: transfer.orderId,
      transferId: transfer.id,
      currency: transfer.currency,
      kind: 'reversal' as const,
    }
    await LedgerEntry.createMany(
      [
        {
          ...entry,
          account: 'cash',
          userId: null,
          amountCents: -amountCents,
          memo: `Reversal ${reversalId}`,
        },
        {
          ...entry,
          account: 'creator_payable',
          userId: transfer.creatorId,
          amountCents,
          memo: `Reversal ${reversalId}`,
        },
      ],
      { client: trx }
    )
    await LedgerEntry.assertBalanced(trx)
  }

  /**
   * Part of a sale taken back: `amountCents` leaves `from` (cash for a refund, the disputed
   * funds for a lost dispute) and is borne by the platform's fee and each creator's share in
   * proportion to what is left of them, so a last refund after partial ones takes exactly the
   * rest. Returns each creator's part (what their transfers give back).
   */
  async takeBack(
    order: Order,
    amountCents: number,
    from: 'cash' | 'disputed_funds',
    trx: TransactionClientContract
  ) {
    const kind = from === 'cash' ? ('refund' as const) : ('dispute' as const)
    const left = await this.#leftOfSale(order, trx)
    const parts = proportional(
      amountCents,
      left.map((row) => row.cents)
    )
    // Never more than is left of the sale (a refund beyond it would have nothing to come from).
    const taken = parts.reduce((sum, part) => sum + part, 0)
    const groupId = randomUUID()
    const base = { groupId, kind, orderId: order.id, currency: order.currency }
    const rows = [
      {
        ...base,
        account: from,
        userId: null,
        amountCents: taken,
        memo: from === 'cash' ? 'Refund to the buyer' : 'Dispute lost',
      },
      ...left.map((row, index) => ({
        ...base,
        account: row.account,
        userId: row.userId,
        amountCents: -parts[index],
        memo: from === 'cash' ? 'Share of a refund' : 'Share of a lost dispute',
      })),
    ].filter((row) => row.amountCents !== 0)
    if (rows.length > 1) await LedgerEntry.createMany(rows, { client: trx })
    await LedgerEntry.assertBalanced(trx)
    const byCreator = new Map<number, number>()
    left.forEach((row, index) => {
      if (row.account === 'creator_payable' && row.userId !== null)
        byCreator.set(row.userId, (byCreator.get(row.userId) ?? 0) + parts[index])
    })
    return byCreator
  }

  /**
   * A dispute's money moving: `withdrawn` (Stripe took the amount from the balance while the
   * dispute is open) or `reinstated` (the dispute was won and it came back).
   */
  async recordDispute(
    order: Order,
    amountCents: number,
    movement: 'withdrawn' | 'reinstated',
    disputeId: string,
    trx: TransactionClientContract
  ) {
    const sign = movement === 'withdrawn' ? 1 : -1
    const base = {
      groupId: randomUUID(),
      kind: 'dispute' as const,
      orderId: order.id,
      currency: order.currency,
      userId: null,
      memo: `Dispute ${disputeId} ${movement}`,
    }
    await LedgerEntry.createMany(
      [
        { ...base, account: 'cash', amountCents: sign * amountCents },
        { ...base, account: 'disputed_funds', amountCents: -sign * amountCents },
      ],
      { client: trx }
    )
    await LedgerEntry.assertBalanced(trx)
  }

  /** What is left of a sale's credits (fee, shares) after the refunds and write-offs so far. */
  async #leftOfSale(order: Order, trx: TransactionClientContract) {
    const rows: { account: LedgerAccount; user_id: number | null; cents: string }[] = await trx
      .from('ledger_entries')
      .where('order_id', order.id)
      .whereIn('account', ['platform_revenue', 'creator_payable'])
      .whereIn('kind', ['platform_fee', 'creator_share', 'refund', 'dispute', 'reversal'])
      .whereNull('transfer_id')
      .groupBy('account', 'user_id')
      .select('account', 'user_id')
      .sum('amount_cents as cents')
      .orderBy(['account', 'user_id'])
    return rows
      .map((row) => ({ account: row.account, userId: row.user_id, cents: Number(row.cents) }))
      .filter((row) => row.cents > 0)
  }
}

/**
 * `amount` shared in proportion to `weights` (largest remainder, so the parts sum to it
 * exactly), never more than a weight: taking all that is left takes each weight whole.
 */
export function proportional(amount: number, weights: number[]) {
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  if (total <= 0) return weights.map(() => 0)
  const take = Math.min(amount, total)
  const exact = weights.map((weight) => (take * weight) / total)
  const parts = exact.map(Math.floor)
  let rest = take - parts.reduce((sum, part) => sum + part, 0)
  const order = exact
    .map((value, index) => ({ index, fraction: value - parts[index] }))
    .sort((a, b) => b.fraction - a.fraction || a.index - b.index)
  for (const { index } of order) {
    if (rest <= 0) break
    if (parts[index] < weights[index]) {
      parts[index] += 1
      rest -= 1
    }
  }
  return parts
}
