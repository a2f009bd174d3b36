import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import {
  LEDGER_ACCOUNTS,
  LEDGER_ENTRY_KINDS,
  type LedgerAccount,
  type LedgerEntryKind,
} from '#models/ledger_entry'
import { pages, type CsvValue } from '#app/core/csv'
import { AuditTrail } from '#app/core/audit_trail'
import type User from '#models/user'
import {
  afterId,
  dayRange,
  oneOf,
  personRef,
  text,
  toQueryString,
  UUID,
} from '#app/core/admin_filters'

export const LEDGER_PAGE_SIZE = 50
const EXPORT_PAGE_SIZE = 500

/** The ledger's filters as the page and its CSV export read them (one parser for both). */
export interface LedgerFilters {
  account?: LedgerAccount
  kind?: LedgerEntryKind
  /** A creator's id or e-mail, as typed. */
  creator?: string
  order?: string
  memo?: string
  from?: string
  to?: string
}

interface ParsedLedgerFilters {
  filters: LedgerFilters
  errors: string[]
  /** What the query applies; built once, so the page and the export cannot disagree. */
  where: {
    account?: LedgerAccount
    kind?: LedgerEntryKind
    userId?: number
    userEmail?: string
    orderId?: string
    memo?: string
    since?: Date
    until?: Date
  }
}

export interface LedgerRow {
  id: number
  groupId: string
  kind: LedgerEntryKind
  account: LedgerAccount
  userId: number | null
  userName: string | null
  userEmail: string | null
  orderId: string | null
  transferId: number | null
  amountCents: number
  currency: string
  memo: string | null
  createdAt: Date
}

export interface PaymentAnomaly {
  stripeEventId: string
  type: string
  stripeObjectId: string | null
  amountCents: number | null
  currency: string | null
  detail: string
  createdAt: Date
}

export const LEDGER_CSV_HEADER = [
  'id',
  'created_at',
  'group_id',
  'kind',
  'account',
  'user_id',
  'user_email',
  'order_id',
  'transfer_id',
  'amount_cents',
  'currency',
  'memo',
]

/**
 * The admin's view of the ledger: filtered, paged by id (newest first), summed, exported.
 * Read-only: ledger entries are append-only and written only by LedgerService.
 */
@inject()
export class AdminLedgerService {
  constructor(protected audit: AuditTrail) {}

  /** An export hands personal and financial data out of the instance: who took what is kept. */
  recordExport(admin: User, filters: object, ip: string | null) {
    return this.audit.record({
      actorId: admin.id,
      action: 'ledger.exported',
      subject: { type: 'ledger', id: 'csv' },
      meta: { filters },
      ip,
    })
  }

  /** Reads the query string; an unreadable filter is dropped and explained in `errors`. */
  parseFilters(query: Record<string, unknown>): ParsedLedgerFilters {
    const errors: string[] = []
    const account = oneOf(
      query.account,
      LEDGER_ACCOUNTS,
      errors,
      `Account must be one of ${LEDGER_ACCOUNTS.join(', ')}.`
    )
    const kind = oneOf(
      query.kind,
      LEDGER_ENTRY_KINDS,
      errors,
      `Kind must be one of ${LEDGER_ENTRY_KINDS.join(', ')}.`
    )
    const creator = personRef(query.creator, errors, 'Creator')
    let order = text(query.order, 36) || undefined
    if (order && !UUID.test(order)) {
      errors.push('Order must be an order id (a UUID, as the ledger shows it).')
      order = undefined
    }
    const memo = text(query.memo, 100) || undefined
    const days = dayRange(query, errors)
    return {
      filters: { account, kind, creator: creator?.raw, order, memo, from: days.from, to: days.to },
      errors,
      where: {
        account,
        kind,
        userId: creator?.id,
        userEmail: creator?.email,
        orderId: order?.toLowerCase(),
        memo,
        since: days.since,
        until: days.until,
      },
    }
  }

  queryString(filters: LedgerFilters, after?: number | null) {
    return toQueryString({ ...filters }, after)
  }

  /** One page of entries after the cursor (an entry id), newest first, and the next cursor. */
  /** The latest Stripe events that matched no order (accepted so Stripe stops retrying), newest first. */
  async anomalies(limit = 50): Promise<PaymentAnomaly[]> {
    const rows = await db.from('payment_anomalies').orderBy('id', 'desc').limit(limit)
    return rows.map((row) => ({
      stripeEventId: row.stripe_event_id,
      type: row.type,
      stripeObjectId: row.stripe_object_id,
      amountCents: row.amount_cents,
      currency: row.currency,
      detail: row.detail,
      createdAt: new Date(row.created_at),
    }))
  }

  async page(parsed: ParsedLedgerFilters, after: unknown) {
    const cursor = afterId(after)
    const rows = await this.#rows(parsed, cursor, LEDGER_PAGE_SIZE + 1)
    const more = rows.length > LEDGER_PAGE_SIZE
    const entries = rows.slice(0, LEDGER_PAGE_SIZE)
    return { entries, next: more ? entries[entries.length - 1].id : null, after: cursor }
  }

  /** Count, credits, debits and net of every filtered row, per currency. */
  async sums(parsed: ParsedLedgerFilters) {
    const rows: {
      currency: string
      entries: string
      credits: string | null
      debits: string | null
      net: string | null
    }[] = await this.#filtered(parsed)
      .groupBy('le.currency')
      .orderBy('le.currency')
      .select('le.currency')
      .select(db.raw('count(*) as entries'))
      .select(db.raw('sum(le.amount_cents) filter (where le.amount_cents > 0) as credits'))
      .select(db.raw('sum(le.amount_cents) filter (where le.amount_cents < 0) as debits'))
      .select(db.raw('sum(le.amount_cents) as net'))
    return rows.map((row) => ({
      currency: row.currency,
      entries: Number(row.entries),
      credits: Number(row.credits ?? 0),
      debits: Number(row.debits ?? 0),
      net: Number(row.net ?? 0),
    }))
  }

  /** Every filtered row as a CSV record, read page by page (never the whole ledger at once). */
  async *csvRows(parsed: ParsedLedgerFilters): AsyncGenerator<CsvValue[]> {
    for await (const row of pages<LedgerRow>(
      (after) => this.#rows(parsed, after?.id ?? null, EXPORT_PAGE_SIZE),
      EXPORT_PAGE_SIZE
    )) {
      yield [
        row.id,
        row.createdAt,
        row.groupId,
        row.kind,
        row.account,
        row.userId,
        row.userEmail,
        row.orderId,
        row.transferId,
        row.amountCents,
        row.currency,
        row.memo,
      ]
    }
  }

  /** A paid or refunded order as the ledger page shows it when filtered to that order. */
  async order(orderId: string) {
    const row = await db
      .from('orders as o')
      .join('users as b', 'b.id', 'o.buyer_id')
      .join('dataset_versions as dv', 'dv.id', 'o.dataset_version_id')
      .join('datasets as d', 'd.id', 'dv.dataset_id')
      .where('o.id', orderId)
      .select(
        'o.id',
        'o.status',
        'o.amount_cents',
        'o.platform_fee_cents',
        'o.currency',
        'o.paid_at',
        'o.refunded_at',
        'o.stripe_payment_intent_id',
        'o.stripe_charge_id'
      )
      .select(
        'b.full_name as buyer_name',
        'b.company_name as buyer_company',
        'b.email as buyer_email',
        'd.title as dataset_title',
        'dv.version'
      )
      .first()
    if (!row) return null
    return {
      id: row.id as string,
      status: row.status as string,
      amountCents: Number(row.amount_cents),
      platformFeeCents: Number(row.platform_fee_cents),
      currency: row.currency as string,
      paidAt: row.paid_at as Date | null,
      refundedAt: row.refunded_at as Date | null,
      buyer: (row.buyer_company ?? row.buyer_name) as string,
      buyerEmail: row.buyer_email as string,
      dataset: `${row.dataset_title} v${row.version}`,
      refundable:
        row.status === 'paid' && Boolean(row.stripe_payment_intent_id || row.stripe_charge_id),
    }
  }

  async #rows(
    parsed: ParsedLedgerFilters,
    before: number | null,
    limit: number
  ): Promise<LedgerRow[]> {
    const query = this.#filtered(parsed)
      .select(
        'le.id',
        'le.group_id',
        'le.kind',
        'le.account',
        'le.user_id',
        'le.order_id',
        'le.transfer_id',
        'le.amount_cents',
        'le.currency',
        'le.memo',
        'le.created_at'
      )
      .select('u.full_name as user_name', 'u.email as user_email')
      .orderBy('le.id', 'desc')
      .limit(limit)
    if (before !== null) query.where('le.id', '<', before)
    const rows: any[] = await query
    return rows.map((row) => ({
      id: row.id,
      groupId: row.group_id,
      kind: row.kind,
      account: row.account,
      userId: row.user_id,
      userName: row.user_name,
      userEmail: row.user_email,
      orderId: row.order_id,
      transferId: row.transfer_id,
      amountCents: Number(row.amount_cents),
      currency: row.currency,
      memo: row.memo,
      createdAt: new Date(row.created_at),
    }))
  }

  #filtered({ where }: ParsedLedgerFilters): DatabaseQueryBuilderContract<any> {
    const query = db.from('ledger_entries as le').leftJoin('users as u', 'u.id', 'le.user_id')
    if (where.account) query.where('le.account', where.account)
    if (where.kind) query.where('le.kind', where.kind)
    if (where.userId !== undefined) query.where('le.user_id', where.userId)
    if (where.userEmail) query.whereRaw('lower(u.email) = ?', [where.userEmail])
    if (where.orderId) query.where('le.order_id', where.orderId)
    if (where.memo) query.whereILike('le.memo', `%${escapeLike(where.memo)}%`)
    if (where.since) query.where('le.created_at', '>=', where.since)
    if (where.until) query.where('le.created_at', '<', where.until)
    return query
  }
}

/** A LIKE pattern that matches the typed text literally. */
export function escapeLike(value: string) {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`)
}
