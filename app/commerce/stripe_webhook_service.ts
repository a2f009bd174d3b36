import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type Stripe from 'stripe'
import { DateTime } from 'luxon'
import Order from '#models/order'
import Transfer from '#models/transfer'
import User from '#models/user'
import DatasetVersion from '#models/dataset_version'
import { LedgerService } from '#app/commerce/ledger_service'
import { LicenceIssuer, LicenceTextService } from '#app/licences/public'
import { SettingsStore } from '#app/core/settings_store'
import { PaymentError, StripeService } from '#app/core/stripe_service'
import { PayoutMirrorService } from '#app/commerce/payout_mirror_service'

/**
 * What became of one delivery. `retry`: nothing was kept, and a non-2xx answer makes Stripe
 * deliver it again later: the event it depends on has not arrived (`order`), or a call to
 * Stripe failed on the way (`stripe`).
 */
export type WebhookOutcome =
  | { status: 'processed' | 'duplicate' | 'ignored'; detail: string }
  | { status: 'retry'; waitingFor: 'order' | 'stripe'; detail: string }

/**
 * How long a refund of a charge with no paid order is refused (so Stripe redelivers it once
 * the payment event has arrived) before it is recorded for the admins and accepted.
 */
export const ORPHAN_REFUND_GRACE_S = 60 * 60

/** A dispute Stripe has not decided yet (Stripe's closed statuses are won, lost, warning_closed). */
export function disputeOpen(status: string | null) {
  return status !== null && !['won', 'lost', 'warning_closed'].includes(status)
}

/** An event that arrived before the one it depends on (a refund before the payment). */
class NotYetApplicable extends Error {}

type Handled = { status: 'processed' | 'duplicate' | 'ignored'; detail: string; after?: () => Promise<void> }

/**
 * Stripe events, applied once. Each delivery runs in one transaction that first claims the
 * event id in `webhook_events` (a redelivered event is a no-op) and then re-reads the order it
 * touches under a row lock (a second event for the same checkout session is a no-op too).
 * Transfers to creators run after that commit, each in its own transaction, so a Stripe
 * failure there leaves the sale recorded and the share as a pending balance.
 */
@inject()
export class StripeWebhookService {
  constructor(
    protected stripe: StripeService,
    protected ledger: LedgerService,
    protected licences: LicenceIssuer,
    protected settings: SettingsStore
  ) {}

  /** Applies one verified event. */
  async apply(event: Stripe.Event): Promise<WebhookOutcome> {
    const log = logger.child({ stripeEventId: event.id, type: event.type })
    let handled: Handled
    try {
      handled = await db.transaction(async (trx) => {
        await trx.rawQuery(
          `INSERT INTO webhook_events (stripe_event_id, type, payload) VALUES (?, ?, ?)
           ON CONFLICT (stripe_event_id) DO NOTHING`,
          [event.id, event.type, JSON.stringify(event)]
        )
        const row = await trx.from('webhook_events').where('stripe_event_id', event.id).forUpdate().firstOrFail()
        if (row.processed_at) return { status: 'duplicate', detail: 'event already processed' } as Handled
        const result = await this.#dispatch(event, trx)
        await trx
          .from('webhook_events')
          .where('id', row.id)
          .update({ processed_at: new Date(), error: null })
        return result
      })
    } catch (error) {
      // Nothing of the handler's work was kept. The event row remembers why, for the admin.
      const message = error instanceof Error ? error.message : String(error)
      await db.rawQuery(
        `INSERT INTO webhook_events (stripe_event_id, type, payload, error) VALUES (?, ?, ?, ?)
         ON CONFLICT (stripe_event_id) DO UPDATE SET error = EXCLUDED.error WHERE webhook_events.processed_at IS NULL`,
        [event.id, event.type, JSON.stringify(event), message]
      )
      if (error instanceof NotYetApplicable) {
        log.info('stripe event not applicable yet: %s', message)
        return { status: 'retry', waitingFor: 'order', detail: message }
      }
      if (error instanceof PaymentError) {
        log.warn({ code: error.code }, 'stripe event rolled back: %s', message)
        return { status: 'retry', waitingFor: 'stripe', detail: message }
      }
      throw error
    }
    log.info('stripe event %s: %s', handled.status, handled.detail)
    if (handled.after) await handled.after()
    return { status: handled.status, detail: handled.detail }
  }

  /** Sends every pending transfer of an order whose creator's account is ready. */
  async sendTransfers(orderId: string) {
    const pending = await Transfer.query().where('order_id', orderId).where('status', 'pending').orderBy('id')
    for (const transfer of pending) await this.sendTransfer(transfer.id)
  }

  /** Sends a creator's pending transfers (their account has just become ready). */
  async sendPendingTransfersOf(creatorId: number) {
    const pending = await Transfer.query().where('creator_id', creatorId).where('status', 'pending').orderBy('id')
    for (const transfer of pending) await this.sendTransfer(transfer.id)
  }

  /**
   * Every pending transfer that could go now (paid order, no open dispute, creator's account
   * ready), for the scheduled retry: a transfer refused or timed out at the sale is otherwise
   * only retried on an event (the creator's account turning ready) or by an admin. Each goes
   * through `sendTransfer`, so with the same idempotency key as its last attempt.
   */
  async retryPendingTransfers(limit = 200) {
    const rows: { id: number }[] = await db
      .from('transfers')
      .join('orders', 'orders.id', 'transfers.order_id')
      .join('users', 'users.id', 'transfers.creator_id')
      .where('transfers.status', 'pending')
      .where('orders.status', 'paid')
      .where('users.stripe_account_status', 'ready')
      .whereNotNull('users.stripe_account_id')
      .orderBy('transfers.id')
      .limit(limit)
      .select('transfers.id')
    let sent = 0
    for (const row of rows) {
      await this.sendTransfer(row.id)
      const after = await Transfer.find(row.id)
      if (after?.status === 'paid') sent += 1
    }
    return { tried: rows.length, sent }
  }

  /**
   * One transfer, funded by the order's charge (`source_transaction`, so it never waits for
   * the available balance). The idempotency key makes a retry return the same Stripe transfer.
   * A refusal is kept on the row and the share stays a pending balance; it also spends the key
   * (Stripe would replay the refusal to it), so the next attempt, an admin's retry, can succeed.
   * `onAttempt` runs in the same transaction after Stripe answered (the admin's audit row).
   */
  async sendTransfer(transferId: number, onAttempt?: (transfer: Transfer, trx: TransactionClientContract) => Promise<void>) {
    await db.transaction(async (trx) => {
      const transfer = await Transfer.query({ client: trx }).where('id', transferId).forUpdate().firstOrFail()
      const order = await Order.query({ client: trx }).where('id', transfer.orderId).forUpdate().firstOrFail()
      // A disputed order's shares wait for the verdict: a lost dispute takes the money back.
      if (transfer.status !== 'pending' || order.status !== 'paid' || disputeOpen(order.disputeStatus)) return
      const creator = await User.findOrFail(transfer.creatorId, { client: trx })
      if (creator.stripeAccountStatus !== 'ready' || !creator.stripeAccountId) return
      try {
        const sent = await this.stripe.createTransfer(
          {
            amount: transfer.amountCents,
            currency: transfer.currency.toLowerCase(),
            destination: creator.stripeAccountId,
            source_transaction: transfer.sourceTransaction ?? order.stripeChargeId ?? undefined,
            transfer_group: `order_${order.id}`,
            metadata: { order_id: order.id, transfer_id: String(transfer.id) },
          },
          transfer.refusals ? `transfer-${transfer.id}-${transfer.refusals}` : `transfer-${transfer.id}`
        )
        transfer.merge({ status: 'paid', stripeTransferId: sent.id, failureReason: null })
        await transfer.save()
        await this.ledger.recordTransfer(transfer, trx)
      } catch (error) {
        if (!(error instanceof PaymentError)) throw error
        logger.warn({ transferId, orderId: order.id, code: error.code }, 'transfer left pending: %s', error.message)
        transfer.failureReason = error.message
        // Only a refusal spends the key: after a timeout Stripe may have made the transfer,
        // and the same key returns it instead of paying twice.
        if (error.code === 'E_STRIPE_REFUSED') transfer.refusals += 1
        await transfer.save()
      }
      if (onAttempt) await onAttempt(transfer, trx)
    })
  }

  async #dispatch(event: Stripe.Event, trx: TransactionClientContract): Promise<Handled> {
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
        return this.#completed(event.data.object, trx)
      case 'checkout.session.expired':
        return this.#expired(event.data.object, trx)
      case 'charge.refunded':
        return this.#refunded(event.data.object, event, trx)
      case 'charge.dispute.created':
        return this.#disputeCreated(event.data.object, event, trx)
      case 'charge.dispute.closed':
        return this.#disputeClosed(event.data.object, event, trx)
      case 'account.updated':
        return this.#accountUpdated(event.data.object, trx)
      case 'payout.created':
      case 'payout.updated':
      case 'payout.paid':
      case 'payout.failed':
      case 'payout.canceled':
        return new PayoutMirrorService().apply(event.data.object, event.account, trx)
      default:
        return { status: 'ignored', detail: `no handler for ${event.type}` }
    }
  }

  /** Payment received: the order is paid, the licence issued, the ledger written, transfers queued. */
  async #completed(session: Stripe.Checkout.Session, trx: TransactionClientContract): Promise<Handled> {
    if (session.payment_status !== 'paid') return { status: 'ignored', detail: `session ${session.id} is ${session.payment_status}` }
    const order = await this.#orderOfSession(session, trx)
    if (!order) return { status: 'ignored', detail: `no order for session ${session.id}` }
    if (order.status === 'paid' || order.status === 'refunded') {
      return { status: 'duplicate', detail: `order ${order.id} already ${order.status}` }
    }
    if (order.stripeCheckoutSessionId && order.stripeCheckoutSessionId !== session.id) {
      return { status: 'ignored', detail: `order ${order.id} belongs to session ${order.stripeCheckoutSessionId}` }
    }
    const paymentIntentId = typeof session.payment_intent === 'string' ? session.payment_intent : (session.payment_intent?.id ?? null)
    const chargeId = paymentIntentId ? await this.stripe.chargeOf(paymentIntentId) : null
    const amount = session.amount_total ?? order.amountCents
    if (amount !== order.amountCents) {
      logger.warn({ orderId: order.id, expected: order.amountCents, paid: amount }, 'checkout amount differs from the order')
    }

    order.merge({ amountCents: amount, status: 'paid', paidAt: DateTime.now(), stripeCheckoutSessionId: session.id, stripePaymentIntentId: paymentIntentId, stripeChargeId: chargeId })
    const split = await this.ledger.splitFor(order, await this.settings.get('commission_bps'), trx)
    order.platformFeeCents = split.platformFeeCents
    await order.save()

    const version = await DatasetVersion.findOrFail(order.datasetVersionId, { client: trx })
    const text = await new LicenceTextService().ofOrder(order, version.licenceType, trx)
    const { licence, created } = await this.licences.issue(
      { buyerId: order.buyerId, version, source: 'purchase', orderId: order.id, text },
      trx
    )
    if (!created && licence.orderId !== order.id) {
      // Bought while a licence from elsewhere (a grant) was live: the payment stays recorded.
      logger.warn({ orderId: order.id, licenceId: licence.id }, 'paid order for a version the buyer already holds')
    }
    await this.ledger.recordSale(order, split, trx)
    for (const share of split.shares) {
      await Transfer.create(
        { creatorId: share.creatorId, orderId: order.id, amountCents: share.cents, currency: order.currency, status: 'pending', sourceTransaction: chargeId },
        { client: trx }
      )
    }
    return {
      status: 'processed',
      detail: `order ${order.id} paid, licence ${licence.id}`,
      after: () => this.sendTransfers(order.id),
    }
  }

  /** An abandoned checkout: its order is cancelled, if it is still pending. */
  async #expired(session: Stripe.Checkout.Session, trx: TransactionClientContract): Promise<Handled> {
    const order = await this.#orderOfSession(session, trx)
    if (!order || order.status !== 'pending') return { status: 'ignored', detail: `nothing pending for session ${session.id}` }
    order.status = 'cancelled'
    await order.save()
    return { status: 'processed', detail: `order ${order.id} cancelled` }
  }

  /**
   * A refund, whole or partial. `charge.refunded` carries Stripe's running total
   * (`amount_refunded`), so the new refund is what exceeds the order's `refunded_cents`.
   *
   * The licence rule: a partial refund keeps the licence (it is a price adjustment; the rest
   * stays paid), the sale's fee and shares give back their part of it (pending transfers send
   * less, sent ones are reversed by that part). A full refund (also the last of several
   * partial ones) revokes the licence and takes back every transfer.
   *
   * A refund of a charge with no paid order: before its payment event (Stripe does not keep
   * the order of events) it is refused for a while so Stripe delivers it again; past
   * `ORPHAN_REFUND_GRACE_S`, or for an order that will never be paid, it is recorded for the
   * admins (the ledger page) and accepted, as Stripe stops retrying and may disable the
   * endpoint (checkout events included) after days of refusals.
   */
  async #refunded(charge: Stripe.Charge, event: Stripe.Event, trx: TransactionClientContract): Promise<Handled> {
    const order = await this.#orderOfCharge(charge.id, charge.payment_intent, trx)
    if (!order || order.status === 'pending' || order.status === 'cancelled' || order.status === 'failed') {
      const waiting = (!order || order.status === 'pending') && Date.now() / 1000 - event.created < ORPHAN_REFUND_GRACE_S
      if (waiting) throw new NotYetApplicable(`no paid order for charge ${charge.id} yet`)
      const detail = order
        ? `A refund of ${charge.amount_refunded} (charge ${charge.id}) for order ${order.id}, which is ${order.status}: refund it by hand if the buyer was charged.`
        : `A refund of ${charge.amount_refunded} (charge ${charge.id}) matches no order of this instance.`
      await this.#anomaly(event, charge.id, charge.amount_refunded, charge.currency, detail, trx)
      return { status: 'ignored', detail }
    }
    if (order.status === 'refunded') return { status: 'duplicate', detail: `order ${order.id} already refunded` }
    const full = charge.refunded || charge.amount_refunded >= order.amountCents
    const fresh = charge.amount_refunded - order.refundedCents
    if (fresh <= 0 && !full) return { status: 'duplicate', detail: `refunds of order ${order.id} already recorded` }

    if (full && order.refundedCents === 0 && !order.disputeStatus) {
      await this.ledger.reverseSale(order, trx)
    } else if (fresh > 0) {
      const parts = await this.ledger.takeBack(order, fresh, 'cash', trx)
      if (!full) await this.#giveBackParts(order, parts, charge.amount_refunded, trx)
    }
    order.refundedCents = Math.max(order.refundedCents, charge.amount_refunded)
    if (!full) {
      await order.save()
      return { status: 'processed', detail: `order ${order.id} partly refunded (${order.refundedCents} of ${order.amountCents}); licence kept` }
    }
    order.merge({ status: 'refunded', refundedAt: DateTime.now() })
    await order.save()
    const licence = await order.related('licence').query().first()
    if (licence) await this.licences.revoke(licence, `The payment was refunded on ${DateTime.now().toISODate()}.`, trx)
    await this.#takeBackTransfers(order, 'The order was refunded before this transfer was sent.', trx)
    return { status: 'processed', detail: `order ${order.id} refunded` }
  }

  /**
   * A dispute (chargeback) opened: Stripe withdraws the disputed amount from the balance,
   * which the ledger holds as `disputed_funds`. The licence is kept while the dispute is open
   * (an accusation is not a verdict); the order's unsent transfers wait for its outcome.
   */
  async #disputeCreated(dispute: Stripe.Dispute, event: Stripe.Event, trx: TransactionClientContract): Promise<Handled> {
    const chargeId = typeof dispute.charge === 'string' ? dispute.charge : dispute.charge.id
    const order = await this.#orderOfCharge(chargeId, dispute.payment_intent, trx)
    if (!order || (order.status !== 'paid' && order.status !== 'refunded')) {
      const detail = `A dispute of ${dispute.amount} (${dispute.id}, charge ${chargeId}) matches no paid order of this instance: answer it in Stripe's dashboard.`
      await this.#anomaly(event, dispute.id, dispute.amount, dispute.currency, detail, trx)
      return { status: 'ignored', detail }
    }
    if (order.stripeDisputeId === dispute.id) return { status: 'duplicate', detail: `dispute ${dispute.id} already recorded` }
    order.merge({ stripeDisputeId: dispute.id, disputeStatus: dispute.status })
    await order.save()
    // An inquiry (warning_*) withdraws nothing; only a formal dispute takes the money.
    if (!dispute.status.startsWith('warning_')) await this.ledger.recordDispute(order, dispute.amount, 'withdrawn', dispute.id, trx)
    return { status: 'processed', detail: `order ${order.id} disputed (${dispute.id}); licence kept while open` }
  }

  /**
   * A dispute decided. Won: the withdrawn amount comes back, the licence stays, held transfers
   * go out. Lost: the money went back to the buyer as a refund would, so the licence is
   * revoked and the sale written off against the disputed funds, transfers taken back.
   */
  async #disputeClosed(dispute: Stripe.Dispute, event: Stripe.Event, trx: TransactionClientContract): Promise<Handled> {
    const chargeId = typeof dispute.charge === 'string' ? dispute.charge : dispute.charge.id
    const order = await this.#orderOfCharge(chargeId, dispute.payment_intent, trx)
    if (!order || order.stripeDisputeId !== dispute.id) {
      const detail = `A closed dispute (${dispute.id}, ${dispute.status}, charge ${chargeId}) that was never recorded as opened here.`
      await this.#anomaly(event, dispute.id, dispute.amount, dispute.currency, detail, trx)
      return { status: 'ignored', detail }
    }
    if (!disputeOpen(order.disputeStatus)) return { status: 'duplicate', detail: `dispute ${dispute.id} already closed (${order.disputeStatus})` }
    order.disputeStatus = dispute.status
    if (dispute.status !== 'lost') {
      await order.save()
      if (dispute.status !== 'warning_closed') await this.ledger.recordDispute(order, dispute.amount, 'reinstated', dispute.id, trx)
      return { status: 'processed', detail: `dispute ${dispute.id} ${dispute.status}; licence kept`, after: () => this.sendTransfers(order.id) }
    }
    await this.ledger.takeBack(order, dispute.amount, 'disputed_funds', trx)
    if (order.status === 'paid') order.merge({ status: 'refunded', refundedAt: DateTime.now() })
    await order.save()
    const licence = await order.related('licence').query().whereNull('revoked_at').first()
    if (licence) await this.licences.revoke(licence, `The payment was taken back by the buyer's bank (dispute lost on ${DateTime.now().toISODate()}).`, trx)
    await this.#takeBackTransfers(order, 'The buyer\'s bank took the payment back before this transfer was sent.', trx)
    return { status: 'processed', detail: `dispute ${dispute.id} lost; order ${order.id} refunded, licence revoked` }
  }

  /** After a partial refund: each creator's part comes off their unsent transfer, or back from the sent one. */
  async #giveBackParts(order: Order, parts: Map<number, number>, refundedTotal: number, trx: TransactionClientContract) {
    const transfers = await Transfer.query({ client: trx }).where('order_id', order.id).forUpdate().orderBy('id')
    for (const transfer of transfers) {
      const part = Math.min(parts.get(transfer.creatorId) ?? 0, transfer.amountCents - transfer.reversedCents)
      if (part <= 0) continue
      parts.set(transfer.creatorId, (parts.get(transfer.creatorId) ?? 0) - part)
      if (transfer.status === 'pending') {
        if (part >= transfer.amountCents) transfer.merge({ status: 'failed', failureReason: 'Refunded before this transfer was sent.' })
        else transfer.amountCents -= part
        await transfer.save()
      } else if (transfer.status === 'paid' && transfer.stripeTransferId) {
        // One key per refund total: a redelivery of this refund returns the same reversal.
        const reversal = await this.stripe.reverseTransfer(transfer.stripeTransferId, { amount: part, metadata: { order_id: order.id } }, `reversal-${transfer.id}-${refundedTotal}`)
        transfer.reversedCents += part
        await transfer.save()
        await this.ledger.reverseTransfer(transfer, trx, part, reversal.id)
      }
    }
  }

  /** The order's money is gone back to the buyer: sent transfers reversed (what is left of them), unsent ones never sent. */
  async #takeBackTransfers(order: Order, reason: string, trx: TransactionClientContract) {
    const transfers = await Transfer.query({ client: trx }).where('order_id', order.id).forUpdate().orderBy('id')
    for (const transfer of transfers) {
      if (transfer.status === 'paid' && transfer.stripeTransferId) {
        const left = transfer.amountCents - transfer.reversedCents
        if (left > 0) {
          const reversal = await this.stripe.reverseTransfer(transfer.stripeTransferId, { amount: left, metadata: { order_id: order.id } }, `reversal-${transfer.id}`)
          transfer.merge({ status: 'reversed', stripeReversalId: reversal.id, reversedCents: transfer.amountCents })
          await transfer.save()
          await this.ledger.reverseTransfer(transfer, trx, left, reversal.id)
        } else {
          transfer.status = 'reversed'
          await transfer.save()
        }
      } else if (transfer.status === 'pending') {
        transfer.merge({ status: 'failed', failureReason: reason })
        await transfer.save()
      }
    }
  }

  /** Kept for the admins' ledger page; a redelivery of the same event adds nothing. */
  async #anomaly(event: Stripe.Event, objectId: string, amountCents: number | null, currency: string | null, detail: string, trx: TransactionClientContract) {
    logger.warn({ stripeEventId: event.id, type: event.type, objectId }, 'stripe event recorded for admins: %s', detail)
    await trx.rawQuery(
      `INSERT INTO payment_anomalies (stripe_event_id, type, stripe_object_id, amount_cents, currency, detail) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (stripe_event_id) DO NOTHING`,
      // knex binds null as SQL NULL; its binding type only omits it.
      [event.id, event.type, objectId, amountCents as number, (currency ? currency.toUpperCase() : null) as string, detail]
    )
  }

  async #orderOfCharge(chargeId: string, intent: string | { id: string } | null, trx: TransactionClientContract) {
    const paymentIntentId = typeof intent === 'string' ? intent : (intent?.id ?? null)
    const query = Order.query({ client: trx }).forUpdate()
    query.where((where) => {
      where.where('stripe_charge_id', chargeId)
      if (paymentIntentId) where.orWhere('stripe_payment_intent_id', paymentIntentId)
    })
    return query.first()
  }

  /** A creator's connected account changed: its onboarding state is mirrored on the user. */
  async #accountUpdated(account: Stripe.Account, trx: TransactionClientContract): Promise<Handled> {
    const creator = await User.query({ client: trx }).where('stripe_account_id', account.id).forUpdate().first()
    if (!creator) return { status: 'ignored', detail: `no creator with account ${account.id}` }
    const status = StripeService.connectStatus(account)
    const becameReady = status === 'ready' && creator.stripeAccountStatus !== 'ready'
    creator.stripeAccountStatus = status
    await creator.save()
    return {
      status: 'processed',
      detail: `creator ${creator.id} account ${status}`,
      after: becameReady ? () => this.sendPendingTransfersOf(creator.id) : undefined,
    }
  }

  async #orderOfSession(session: Stripe.Checkout.Session, trx: TransactionClientContract) {
    const orderId = session.metadata?.order_id ?? session.client_reference_id
    const query = Order.query({ client: trx }).forUpdate()
    query.where((where) => {
      where.where('stripe_checkout_session_id', session.id)
      if (orderId && /^[0-9a-f-]{36}$/i.test(orderId)) where.orWhere('id', orderId)
    })
    return query.first()
  }
}
