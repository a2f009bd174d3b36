import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type Stripe from 'stripe'
import { DateTime } from 'luxon'
import Payout, { PAYOUT_STATUSES, type PayoutStatus } from '#models/payout'
import User from '#models/user'

/**
 * How far along a payout is. Events arrive late and out of order: a `payout.created` (pending)
 * delivered after `payout.paid` must not move the row back. A paid payout can still fail
 * (the bank returns it), so failed and canceled rank last.
 */
const RANK: Record<PayoutStatus, number> = {
  pending: 0,
  in_transit: 1,
  paid: 2,
  failed: 3,
  canceled: 3,
}

export type PayoutOutcome = { status: 'processed' | 'ignored'; detail: string }

/**
 * Mirrors Stripe's payouts of a connected account's balance to the creator's bank
 * (`payout.*` events delivered for connected accounts, which carry `event.account`) into the
 * `payouts` table the creator's dashboard reads. Runs in the webhook's transaction.
 */
export class PayoutMirrorService {
  async apply(
    payout: Stripe.Payout,
    accountId: string | undefined,
    trx: TransactionClientContract
  ): Promise<PayoutOutcome> {
    // The platform's own payouts (no connected account) are not a creator's.
    if (!accountId)
      return { status: 'ignored', detail: `payout ${payout.id} is the platform's own` }
    const creator = await User.query({ client: trx }).where('stripe_account_id', accountId).first()
    if (!creator) return { status: 'ignored', detail: `no creator with account ${accountId}` }
    const status = payout.status as PayoutStatus
    if (!PAYOUT_STATUSES.includes(status))
      return {
        status: 'ignored',
        detail: `payout ${payout.id} has unknown status ${payout.status}`,
      }

    const fields = {
      amount_cents: payout.amount,
      currency: payout.currency.toUpperCase(),
      status,
      arrival_date: payout.arrival_date
        ? DateTime.fromSeconds(payout.arrival_date, { zone: 'utc' }).toISODate()
        : null,
    }
    // Two events of one payout may be applied at once: the row is claimed, then locked.
    await trx
      .insertQuery()
      .table('payouts')
      .insert({ creator_id: creator.id, stripe_payout_id: payout.id, ...fields })
      .knexQuery.onConflict('stripe_payout_id')
      .ignore()
    const row = await Payout.query({ client: trx })
      .where('stripe_payout_id', payout.id)
      .forUpdate()
      .firstOrFail()
    if (row.creatorId !== creator.id)
      return { status: 'ignored', detail: `payout ${payout.id} belongs to another creator` }
    if (RANK[status] < RANK[row.status])
      return { status: 'ignored', detail: `payout ${payout.id} is already ${row.status}` }
    await trx
      .from('payouts')
      .where('id', row.id)
      .update({ ...fields, updated_at: new Date() })
    return { status: 'processed', detail: `payout ${payout.id} of creator ${creator.id} ${status}` }
  }
}
