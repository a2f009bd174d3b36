import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type User from '#models/user'
import type { PayoutStatus } from '#models/payout'
import type { TransferStatus } from '#models/transfer'
import { creatorBalances, type CreatorBalance } from '#app/commerce/creator_balances'
import { SettingsStore } from '#app/core/settings_store'

/**
 * A creator's money in one currency, in integer cents. Read from the ledger's
 * `creator_payable` rows for the creator (credited by sales, debited by transfers; a refund's
 * reversal rows undo both) and from the `payouts` Stripe reports:
 * - earned: shares credited, less the shares refunds took back (rows not tied to a transfer);
 * - transferred: what left the payable for the connected account, less transfers reversed;
 * - pending: the payable's balance, owed but not transferred yet (earned − transferred);
 * - paidOut / inTransit: payouts to the bank that arrived / are on their way;
 * - available: transferred and not yet arrived at the bank (in transit included).
 */
export interface Balance {
  currency: string
  earned: number
  pending: number
  transferred: number
  available: number
  inTransit: number
  paidOut: number
}

export interface MonthEarnings {
  /** `2026-03` */
  month: string
  /** "Mar" */
  label: string
  /** "March 2026" */
  longLabel: string
  cents: number
}

export interface DatasetSales {
  datasetId: string
  title: string
  slug: string
  version: number
  currency: string
  sales: number
  refunds: number
  grossCents: number
  shareCents: number
}

export interface TransferRow {
  id: number
  createdAt: DateTime
  datasetTitle: string
  version: number
  amountCents: number
  currency: string
  status: TransferStatus
  failureReason: string | null
  stripeTransferId: string | null
}

export interface PayoutRow {
  id: number
  createdAt: DateTime
  arrivalDate: DateTime | null
  amountCents: number
  currency: string
  status: PayoutStatus
}

export interface ChartBar extends MonthEarnings {
  x: number
  y: number
  width: number
  height: number
}

/** A bar chart's geometry in its own viewBox units, computed here so the template only draws. */
export interface EarningsChart {
  currency: string
  width: number
  height: number
  plot: { left: number; top: number; right: number; bottom: number; zeroY: number }
  bars: ChartBar[]
  ticks: { y: number; cents: number }[]
  total: number
  empty: boolean
}

/** How many rows of transfer and payout history the dashboard shows. */
export const HISTORY_ROWS = 20

const MONTHS = 12

/** The creator's payable rows: every figure but the payouts comes from them. */
function payable(creatorId: number) {
  return db.from('ledger_entries').where('account', 'creator_payable').where('user_id', creatorId)
}

/** 1, 2 or 5 × 10ⁿ at or above `value`: axis ticks people can read. */
function niceCeil(value: number) {
  if (value <= 0) return 0
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power
  return 10 * power
}

/** The last twelve months, oldest first, ending with the current one (UTC). */
export function lastMonths(now: DateTime = DateTime.utc(), count = MONTHS) {
  const first = now.startOf('month').minus({ months: count - 1 })
  return Array.from({ length: count }, (_, index) => first.plus({ months: index }))
}

/**
 * Bars for monthly net earnings. A month where refunds outweigh sales is negative and drawn
 * below the zero line, so the chart never hides a refund.
 */
export function chartOf(months: MonthEarnings[], currency: string): EarningsChart {
  const width = 720
  const height = 260
  const plot = { left: 72, top: 16, right: width - 12, bottom: height - 32 }
  const high = niceCeil(Math.max(0, ...months.map((month) => month.cents)))
  const low = -niceCeil(-Math.min(0, ...months.map((month) => month.cents)))
  const span = high - low || 1
  const scale = (cents: number) => plot.top + ((high - cents) / span) * (plot.bottom - plot.top)
  const zeroY = scale(0)
  const slot = (plot.right - plot.left) / Math.max(months.length, 1)
  const bars = months.map((month, index) => {
    const top = scale(Math.max(month.cents, 0))
    const bottom = scale(Math.min(month.cents, 0))
    return {
      ...month,
      x: round(plot.left + index * slot + slot * 0.18),
      y: round(top),
      width: round(slot * 0.64),
      // A month with a sale stays visible even when it is tiny next to the largest.
      height: month.cents === 0 ? 0 : round(Math.max(bottom - top, 2)),
    }
  })
  const values =
    high === 0 && low === 0
      ? [0]
      : [...new Set([high, high / 2, 0, low / 2, low])].filter(
          (cents) => cents <= high && cents >= low
        )
  const ticks = values.map((cents) => ({ y: round(scale(cents)), cents: Math.round(cents) }))
  return {
    currency,
    width,
    height,
    plot: { ...plot, zeroY: round(zeroY) },
    bars,
    ticks,
    total: months.reduce((sum, month) => sum + month.cents, 0),
    empty: months.every((month) => month.cents === 0),
  }
}

function round(value: number) {
  return Math.round(value * 10) / 10
}

/**
 * What a creator earned, holds and was paid, from the ledger (never from the orders alone:
 * the ledger is what refunds and transfers reverse). Amounts are grouped by currency; the
 * instance's currency comes first.
 */
@inject()
export class EarningsService {
  constructor(protected settings: SettingsStore) {}

  async balances(creator: User): Promise<Balance[]> {
    const rows = await creatorBalances({ id: creator.id })
    const instanceCurrency = await this.settings.get('currency')
    const used = rows.map((row) => row.currency)
    const earned = (row: CreatorBalance) => row.lifetimeCents - row.reversedCents
    // The instance's currency leads, unless every cent this creator has is in others.
    const currencies =
      used.length === 0 || used.includes(instanceCurrency)
        ? [instanceCurrency, ...used.filter((currency) => currency !== instanceCurrency)]
        : rows
            .sort((a, b) => earned(b) - earned(a) || a.currency.localeCompare(b.currency))
            .map((row) => row.currency)
    return currencies.map((currency) => {
      const row = rows.find((candidate) => candidate.currency === currency)
      return {
        currency,
        earned: row ? earned(row) : 0,
        pending: row?.pendingCents ?? 0,
        transferred: row?.transferredCents ?? 0,
        available: (row?.transferredCents ?? 0) - (row?.paidOutCents ?? 0),
        inTransit: row?.inTransitCents ?? 0,
        paidOut: row?.paidOutCents ?? 0,
      }
    })
  }

  /** Net earnings per month over the last twelve months, in one currency (UTC months). */
  async monthly(
    creator: User,
    currency: string,
    now: DateTime = DateTime.utc()
  ): Promise<MonthEarnings[]> {
    const months = lastMonths(now)
    const rows: { month: string; cents: string }[] = await payable(creator.id)
      .whereNull('transfer_id')
      .where('currency', currency)
      .where('created_at', '>=', months[0].toJSDate())
      .groupByRaw('1')
      .select(
        db.raw(`to_char(date_trunc('month', created_at at time zone 'UTC'), 'YYYY-MM') as month`)
      )
      .select(db.raw('sum(amount_cents) as cents'))
    const byMonth = new Map(rows.map((row) => [row.month, Number(row.cents)]))
    return months.map((month) => ({
      month: month.toFormat('yyyy-LL'),
      label: month.toFormat('LLL'),
      longLabel: month.toFormat('LLLL yyyy'),
      cents: byMonth.get(month.toFormat('yyyy-LL')) ?? 0,
    }))
  }

  /**
   * Each dataset version the creator earned from: paid sales (refunded ones counted apart),
   * the buyers' gross for those sales and the creator's share of them after refunds.
   */
  async salesByVersion(creator: User): Promise<DatasetSales[]> {
    const shares = payable(creator.id)
      .whereNull('transfer_id')
      .whereNotNull('order_id')
      .groupBy('order_id')
      .select('order_id')
      .sum('amount_cents as net')
      .as('shares')
    const rows = await db
      .from(shares)
      .join('orders', 'orders.id', 'shares.order_id')
      .join('dataset_versions', 'dataset_versions.id', 'orders.dataset_version_id')
      .join('datasets', 'datasets.id', 'dataset_versions.dataset_id')
      .groupBy(
        'datasets.id',
        'datasets.title',
        'datasets.slug',
        'dataset_versions.id',
        'dataset_versions.version',
        'orders.currency'
      )
      .select(
        'datasets.id as dataset_id',
        'datasets.title',
        'datasets.slug',
        'dataset_versions.version',
        'orders.currency'
      )
      .select(db.raw(`count(*) filter (where orders.status = 'paid') as sales`))
      .select(db.raw(`count(*) filter (where orders.status = 'refunded') as refunds`))
      .select(
        db.raw(
          `coalesce(sum(orders.amount_cents) filter (where orders.status = 'paid'), 0) as gross`
        )
      )
      .select(db.raw('sum(shares.net) as share'))
      .orderByRaw('sum(shares.net) desc, datasets.title asc, dataset_versions.version desc')
    return rows.map((row) => ({
      datasetId: row.dataset_id,
      title: row.title,
      slug: row.slug,
      version: row.version,
      currency: row.currency,
      sales: Number(row.sales),
      refunds: Number(row.refunds),
      grossCents: Number(row.gross),
      shareCents: Number(row.share),
    }))
  }

  /** The creator's transfers, newest first, with the dataset each came from. */
  async transfers(creator: User, limit = HISTORY_ROWS): Promise<TransferRow[]> {
    const rows = await db
      .from('transfers')
      .join('orders', 'orders.id', 'transfers.order_id')
      .join('dataset_versions', 'dataset_versions.id', 'orders.dataset_version_id')
      .join('datasets', 'datasets.id', 'dataset_versions.dataset_id')
      .where('transfers.creator_id', creator.id)
      .select('transfers.*', 'datasets.title as dataset_title', 'dataset_versions.version')
      .orderBy('transfers.created_at', 'desc')
      .orderBy('transfers.id', 'desc')
      .limit(limit)
    return rows.map((row) => ({
      id: row.id,
      createdAt: DateTime.fromJSDate(row.created_at),
      datasetTitle: row.dataset_title,
      version: row.version,
      amountCents: row.amount_cents,
      currency: row.currency,
      status: row.status,
      failureReason: row.failure_reason,
      stripeTransferId: row.stripe_transfer_id,
    }))
  }

  /** Payouts from the connected account to the bank, newest first. */
  async payouts(creator: User, limit = HISTORY_ROWS): Promise<PayoutRow[]> {
    const rows = await db
      .from('payouts')
      .where('creator_id', creator.id)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
    return rows.map((row) => ({
      id: row.id,
      createdAt: DateTime.fromJSDate(row.created_at),
      arrivalDate: row.arrival_date ? DateTime.fromJSDate(row.arrival_date) : null,
      amountCents: row.amount_cents,
      currency: row.currency,
      status: row.status,
    }))
  }

  /** Everything the earnings part of the dashboard shows. */
  async summary(creator: User, now: DateTime = DateTime.utc()) {
    const balances = await this.balances(creator)
    const primary = balances[0]
    const months = await this.monthly(creator, primary.currency, now)
    return {
      balance: primary,
      otherBalances: balances.slice(1),
      chart: chartOf(months, primary.currency),
      sales: await this.salesByVersion(creator),
      transfers: await this.transfers(creator),
      payouts: await this.payouts(creator),
    }
  }
}
