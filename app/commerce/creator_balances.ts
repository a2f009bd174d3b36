import db from '@adonisjs/lucid/services/db'

/*
 * Creators' balances, read from the ledger's `creator_payable` account and the payouts Stripe
 * reported: the one computation behind the creator's dashboard and the admin's payouts page.
 */

/** One creator's money in one currency, from the `creator_payable` account. */
export interface CreatorBalance {
  creatorId: number
  name: string
  email: string
  connectStatus: 'none' | 'pending' | 'ready'
  currency: string
  /** Every creator share credited, ever. */
  lifetimeCents: number
  /** Shares taken back by refunds. */
  reversedCents: number
  /** Sent to the connected account, less transfers reversed after a refund. */
  transferredCents: number
  /** Owed and not yet sent: lifetime − reversed − transferred (the account's balance). */
  pendingCents: number
  /** Stripe payouts from the connected account to the bank, as Stripe reported them paid. */
  paidOutCents: number
  /** Stripe payouts on their way to the bank (pending or in transit). */
  inTransitCents: number
  failingTransfers: number
}

export async function creatorBalances(creator?: {
  id?: number
  email?: string
}): Promise<CreatorBalance[]> {
  const where: string[] = []
  const bindings: (string | number)[] = []
  if (creator?.id !== undefined) {
    where.push('u.id = ?')
    bindings.push(creator.id)
  }
  if (creator?.email) {
    where.push('lower(u.email) = ?')
    bindings.push(creator.email)
  }
  // Signs follow LedgerService: a share credits creator_payable, a transfer and a refund
  // debit it, a transfer reversal credits it back. Its balance is what is still owed.
  const { rows } = await db.rawQuery(
    `WITH l AS (
       SELECT user_id, currency,
         coalesce(sum(amount_cents) FILTER (WHERE kind = 'creator_share'), 0) AS lifetime,
         coalesce(-sum(amount_cents) FILTER (WHERE kind = 'reversal' AND transfer_id IS NULL), 0) AS reversed,
         coalesce(-sum(amount_cents) FILTER (WHERE kind = 'transfer' OR (kind = 'reversal' AND transfer_id IS NOT NULL)), 0) AS transferred,
         sum(amount_cents) AS pending
       FROM ledger_entries WHERE account = 'creator_payable' AND user_id IS NOT NULL
       GROUP BY user_id, currency
     ),
     p AS (
       SELECT creator_id AS user_id, currency,
         coalesce(sum(amount_cents) FILTER (WHERE status = 'paid'), 0) AS paid_out,
         coalesce(sum(amount_cents) FILTER (WHERE status IN ('pending', 'in_transit')), 0) AS in_transit
       FROM payouts GROUP BY creator_id, currency
     ),
     f AS (
       SELECT creator_id AS user_id, currency, count(*) AS failing
       FROM transfers WHERE status = 'pending' AND failure_reason IS NOT NULL GROUP BY creator_id, currency
     ),
     k AS (SELECT user_id, currency FROM l UNION SELECT user_id, currency FROM p)
     SELECT u.id, u.full_name, u.email, u.stripe_account_status, k.currency,
       coalesce(l.lifetime, 0) AS lifetime, coalesce(l.reversed, 0) AS reversed,
       coalesce(l.transferred, 0) AS transferred, coalesce(l.pending, 0) AS pending,
       coalesce(p.paid_out, 0) AS paid_out, coalesce(p.in_transit, 0) AS in_transit,
       coalesce(f.failing, 0) AS failing
     FROM k
     JOIN users u ON u.id = k.user_id
     LEFT JOIN l ON l.user_id = k.user_id AND l.currency = k.currency
     LEFT JOIN p ON p.user_id = k.user_id AND p.currency = k.currency
     LEFT JOIN f ON f.user_id = k.user_id AND f.currency = k.currency
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY coalesce(l.pending, 0) DESC, u.full_name ASC, u.id ASC`,
    bindings
  )
  return (rows as any[]).map((row) => ({
    creatorId: row.id,
    name: row.full_name,
    email: row.email,
    connectStatus: row.stripe_account_status,
    currency: row.currency,
    lifetimeCents: Number(row.lifetime),
    reversedCents: Number(row.reversed),
    transferredCents: Number(row.transferred),
    pendingCents: Number(row.pending),
    paidOutCents: Number(row.paid_out),
    inTransitCents: Number(row.in_transit),
    failingTransfers: Number(row.failing),
  }))
}
