import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import Order from '#models/order'
import Transfer from '#models/transfer'
import User from '#models/user'
import { AuditTrail } from '#app/core/audit_trail'
import { creatorBalances, type CreatorBalance } from '#app/commerce/creator_balances'
import { afterId, oneOf, personRef, toQueryString } from '#app/core/admin_filters'
import { PaymentError, StripeService } from '#app/core/stripe_service'
import { CreatorTransfers } from '#app/commerce/creator_transfers'

export const TRANSFER_PAGE_SIZE = 50

/**
 * How the admin sees a transfer. `failed`: Stripe refused it (it stays pending at our end, so
 * it goes out when retried or when the account becomes ready) or it was cancelled by a refund.
 */
export const TRANSFER_VIEWS = ['pending', 'failed', 'paid', 'reversed'] as const
export type TransferView = (typeof TRANSFER_VIEWS)[number]

export type RetryResult =
  | { ok: true; transfer: Transfer }
  | { ok: false; code: 'E_NOT_FOUND' }
  | { ok: false; code: 'E_PAYMENTS_NOT_CONFIGURED' }
  | { ok: false; code: 'E_NOT_RETRYABLE'; status: string; reason: string | null }
  | { ok: false; code: 'E_ORDER_NOT_PAID'; orderStatus: string }
  | { ok: false; code: 'E_ACCOUNT_NOT_READY'; creator: string; connectStatus: string }
  /** `message`: the refusal Stripe gave, as the transfer records it (null when none was). */
  | { ok: false; code: 'E_STRIPE_REFUSED'; message: string | null }
  | { ok: false; code: 'E_UNCHANGED' }

export type RefundResult =
  | { ok: true; refundId: string; order: Order }
  | { ok: false; code: 'E_NOT_FOUND' }
  | { ok: false; code: 'E_PAYMENTS_NOT_CONFIGURED' }
  | { ok: false; code: 'E_NOT_REFUNDABLE'; status: string }
  | { ok: false; code: 'E_NO_PAYMENT' }
  | { ok: false; code: 'E_STRIPE'; message: string }

/**
 * Creators' balances, the transfers to their connected accounts, and the two money actions
 * an admin takes: retrying a transfer and requesting a refund. Both go through Stripe with
 * idempotency keys and are audited in the transaction that records them.
 */
@inject()
export class AdminPayoutsService {
  constructor(
    protected stripe: StripeService,
    protected creatorTransfers: CreatorTransfers,
    protected audit: AuditTrail
  ) {}

  /** Balances of every creator with money in the ledger or a payout, most owed first. */
  balances(creator?: { id?: number; email?: string }): Promise<CreatorBalance[]> {
    return creatorBalances(creator)
  }

  /** Reads the transfers list's filters (status as the admin sees it, creator). */
  parseTransferFilters(query: Record<string, unknown>) {
    const errors: string[] = []
    const status = oneOf(
      query.status,
      TRANSFER_VIEWS,
      errors,
      `Status must be one of ${TRANSFER_VIEWS.join(', ')}.`
    )
    const creator = personRef(query.creator, errors, 'Creator')
    return { filters: { status, creator: creator?.raw }, creator, errors }
  }

  queryString(filters: { status?: string; creator?: string }, after?: number | null) {
    return toQueryString(filters, after)
  }

  /** A page of transfers, newest first, after the cursor (a transfer id). */
  async transfers(parsed: ReturnType<AdminPayoutsService['parseTransferFilters']>, after: unknown) {
    const cursor = afterId(after)
    const query = db
      .from('transfers as t')
      .join('users as u', 'u.id', 't.creator_id')
      .join('orders as o', 'o.id', 't.order_id')
      .select(
        't.*',
        'u.full_name',
        'u.email',
        'u.stripe_account_status',
        'o.status as order_status'
      )
      .orderBy('t.id', 'desc')
      .limit(TRANSFER_PAGE_SIZE + 1)
    if (cursor !== null) query.where('t.id', '<', cursor)
    this.#whereCreator(query, 'u', parsed.creator)
    switch (parsed.filters.status) {
      case 'pending':
        query.where('t.status', 'pending').whereNull('t.failure_reason')
        break
      case 'failed':
        query.where((where) =>
          where
            .where('t.status', 'failed')
            .orWhere((pending) =>
              pending.where('t.status', 'pending').whereNotNull('t.failure_reason')
            )
        )
        break
      case 'paid':
      case 'reversed':
        query.where('t.status', parsed.filters.status)
        break
    }
    const rows: any[] = await query
    const list = rows.slice(0, TRANSFER_PAGE_SIZE).map((row) => {
      const view: TransferView =
        row.status === 'pending' && row.failure_reason ? 'failed' : row.status
      return {
        id: row.id as number,
        createdAt: new Date(row.created_at),
        updatedAt: new Date(row.updated_at),
        creator: {
          id: row.creator_id as number,
          name: row.full_name as string,
          email: row.email as string,
          connectStatus: row.stripe_account_status as string,
        },
        orderId: row.order_id as string,
        orderStatus: row.order_status as string,
        amountCents: Number(row.amount_cents),
        currency: row.currency as string,
        status: view,
        failureReason: row.failure_reason as string | null,
        stripeTransferId: row.stripe_transfer_id as string | null,
        refusals: Number(row.refusals),
        retryable:
          row.status === 'pending' &&
          row.order_status === 'paid' &&
          row.stripe_account_status === 'ready',
        waitsForAccount:
          row.status === 'pending' &&
          row.order_status === 'paid' &&
          row.stripe_account_status !== 'ready',
      }
    })
    return {
      transfers: list,
      next: rows.length > TRANSFER_PAGE_SIZE ? list[list.length - 1].id : null,
      after: cursor,
    }
  }

  /**
   * Sends a pending transfer again (after a refusal, or because the account is ready now)
   * through the webhook's own idempotent path; the attempt is audited with its outcome.
   */
  async retryTransfer(admin: User, transferId: number, ip: string | null): Promise<RetryResult> {
    const transfer = await Transfer.query()
      .where('id', transferId)
      .preload('order')
      .preload('creator')
      .first()
    if (!transfer) return { ok: false, code: 'E_NOT_FOUND' }
    if (transfer.status !== 'pending')
      return {
        ok: false,
        code: 'E_NOT_RETRYABLE',
        status: transfer.status,
        reason: transfer.failureReason,
      }
    if (transfer.order.status !== 'paid')
      return { ok: false, code: 'E_ORDER_NOT_PAID', orderStatus: transfer.order.status }
    if (!this.stripe.configured) return { ok: false, code: 'E_PAYMENTS_NOT_CONFIGURED' }
    const creator = transfer.creator
    if (creator.stripeAccountStatus !== 'ready' || !creator.stripeAccountId) {
      return {
        ok: false,
        code: 'E_ACCOUNT_NOT_READY',
        creator: creator.fullName,
        connectStatus: creator.stripeAccountStatus,
      }
    }
    let attempted = false
    await this.creatorTransfers.sendTransfer(transfer.id, async (attempt, trx) => {
      attempted = true
      await this.audit.record(
        {
          actorId: admin.id,
          action: 'transfer.retried',
          subject: { type: 'transfer', id: attempt.id },
          meta: {
            outcome: attempt.status === 'paid' ? 'sent' : 'refused',
            amountCents: attempt.amountCents,
            currency: attempt.currency,
            creatorId: attempt.creatorId,
            orderId: attempt.orderId,
            stripeTransferId: attempt.stripeTransferId,
            failureReason: attempt.status === 'paid' ? null : attempt.failureReason,
          },
          ip,
        },
        trx
      )
    })
    // Another request (a webhook, a second click) got the row first and it is no longer pending.
    if (!attempted) return { ok: false, code: 'E_UNCHANGED' }
    const sent = await Transfer.findOrFail(transfer.id)
    if (sent.status !== 'paid')
      return { ok: false, code: 'E_STRIPE_REFUSED', message: sent.failureReason }
    return { ok: true, transfer: sent }
  }

  /**
   * Asks Stripe to refund a paid order in full. The order, licence, ledger and transfers
   * change when Stripe confirms with `charge.refunded` (the webhook), never here, so a
   * refund Stripe did not make changes nothing. One key per order: a second click, or a
   * second admin, gets the same refund back.
   */
  async requestRefund(
    admin: User,
    orderId: string,
    reason: string,
    ip: string | null
  ): Promise<RefundResult> {
    const order = await Order.find(orderId)
    if (!order) return { ok: false, code: 'E_NOT_FOUND' }
    if (order.status !== 'paid')
      return { ok: false, code: 'E_NOT_REFUNDABLE', status: order.status }
    if (!this.stripe.configured) return { ok: false, code: 'E_PAYMENTS_NOT_CONFIGURED' }
    if (!order.stripePaymentIntentId && !order.stripeChargeId)
      return { ok: false, code: 'E_NO_PAYMENT' }
    let refundId: string
    try {
      const refund = await this.stripe.createRefund(
        {
          ...(order.stripePaymentIntentId
            ? { payment_intent: order.stripePaymentIntentId }
            : { charge: order.stripeChargeId! }),
          reason: 'requested_by_customer',
          metadata: {
            order_id: order.id,
            requested_by: String(admin.id),
            note: reason.slice(0, 500),
          },
        },
        `refund-${order.id}`
      )
      refundId = refund.id
    } catch (error) {
      if (!(error instanceof PaymentError)) throw error
      return { ok: false, code: 'E_STRIPE', message: error.message }
    }
    await db.transaction(async (trx) => {
      await this.audit.record(
        {
          actorId: admin.id,
          action: 'order.refund_requested',
          subject: { type: 'order', id: order.id },
          meta: { reason, refundId, amountCents: order.amountCents, currency: order.currency },
          ip,
        },
        trx
      )
    })
    return { ok: true, refundId, order }
  }

  #whereCreator(
    query: DatabaseQueryBuilderContract<any>,
    alias: string,
    creator?: { id?: number; email?: string }
  ) {
    if (creator?.id !== undefined) query.where(`${alias}.id`, creator.id)
    if (creator?.email) query.whereRaw(`lower(${alias}.email) = ?`, [creator.email])
  }
}
