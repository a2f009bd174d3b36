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
import { LedgerService } from '#services/ledger_service'
import { LicenceService } from '#services/licence_service'
import { LicenceTextService } from '#services/licence_text_service'
import { SettingsService } from '#services/settings_service'
import { PaymentError, StripeService } from '#services/stripe_service'
import { PayoutMirrorService } from '#services/payout_mirror_service'

/**
 * What became of one delivery. `retry`: nothing was kept, and a non-2xx answer makes Stripe
 * deliver it again later: the event it depends on has not arrived (`order`), or a call to
 * Stripe failed on the way (`stripe`).
 */
export type WebhookOutcome =
  | { status: 'processed' | 'duplicate' | 'ignored'; detail: string }
  | { status: 'retry'; waitingFor: 'order' | 'stripe'; detail: string }

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
    protected licences: LicenceService,
    protected settings: SettingsService
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
      if (transfer.status !== 'pending' || order.status !== 'paid') return
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
        return this.#refunded(event.data.object, trx)
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
   * A full refund: the order is refunded, the licence revoked, the sale reversed in the
   * ledger, transfers already sent reversed at Stripe, pending ones never sent. A refund that
   * arrives before its payment is refused for now; Stripe delivers it again.
   */
  async #refunded(charge: Stripe.Charge, trx: TransactionClientContract): Promise<Handled> {
    if (!charge.refunded) return { status: 'ignored', detail: `charge ${charge.id} only partly refunded` }
    const paymentIntentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : (charge.payment_intent?.id ?? null)
    const query = Order.query({ client: trx }).forUpdate()
    query.where((where) => {
      where.where('stripe_charge_id', charge.id)
      if (paymentIntentId) where.orWhere('stripe_payment_intent_id', paymentIntentId)
    })
    const order = await query.first()
    if (order?.status === 'refunded') return { status: 'duplicate', detail: `order ${order.id} already refunded` }
    if (!order || order.status !== 'paid') throw new NotYetApplicable(`no paid order for charge ${charge.id} yet`)

    order.merge({ status: 'refunded', refundedAt: DateTime.now() })
    await order.save()
    const licence = await order.related('licence').query().first()
    if (licence) await this.licences.revoke(licence, `The payment was refunded on ${DateTime.now().toISODate()}.`, trx)
    await this.ledger.reverseSale(order, trx)

    const transfers = await Transfer.query({ client: trx }).where('order_id', order.id).forUpdate().orderBy('id')
    for (const transfer of transfers) {
      if (transfer.status === 'paid' && transfer.stripeTransferId) {
        const reversal = await this.stripe.reverseTransfer(transfer.stripeTransferId, { metadata: { order_id: order.id } }, `reversal-${transfer.id}`)
        transfer.merge({ status: 'reversed', stripeReversalId: reversal.id })
        await transfer.save()
        await this.ledger.reverseTransfer(transfer, trx)
      } else if (transfer.status === 'pending') {
        transfer.merge({ status: 'failed', failureReason: 'The order was refunded before this transfer was sent.' })
        await transfer.save()
      }
    }
    return { status: 'processed', detail: `order ${order.id} refunded` }
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
