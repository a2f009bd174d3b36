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
import { CreatorTransfers } from '#app/commerce/creator_transfers'
import { NotYetApplicable, PaymentReversals } from '#app/commerce/payment_reversals'

/**
 * What became of one delivery. `retry`: nothing was kept, and a non-2xx answer makes Stripe
 * deliver it again later: the event it depends on has not arrived (`order`), or a call to
 * Stripe failed on the way (`stripe`).
 */
export type WebhookOutcome =
  | { status: 'processed' | 'duplicate' | 'ignored'; detail: string }
  | { status: 'retry'; waitingFor: 'order' | 'stripe'; detail: string }

export type Handled = {
  status: 'processed' | 'duplicate' | 'ignored'
  detail: string
  after?: () => Promise<void>
}

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
    protected settings: SettingsStore,
    protected transfers: CreatorTransfers,
    protected reversals: PaymentReversals
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
        const row = await trx
          .from('webhook_events')
          .where('stripe_event_id', event.id)
          .forUpdate()
          .firstOrFail()
        if (row.processed_at)
          return { status: 'duplicate', detail: 'event already processed' } as Handled
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

  async #dispatch(event: Stripe.Event, trx: TransactionClientContract): Promise<Handled> {
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
        return this.#completed(event.data.object, trx)
      case 'checkout.session.expired':
        return this.#expired(event.data.object, trx)
      case 'charge.refunded':
        return this.reversals.refunded(event.data.object, event, trx)
      case 'charge.dispute.created':
        return this.reversals.disputeCreated(event.data.object, event, trx)
      case 'charge.dispute.closed':
        return this.reversals.disputeClosed(event.data.object, event, trx)
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
  async #completed(
    session: Stripe.Checkout.Session,
    trx: TransactionClientContract
  ): Promise<Handled> {
    if (session.payment_status !== 'paid')
      return { status: 'ignored', detail: `session ${session.id} is ${session.payment_status}` }
    const order = await this.#orderOfSession(session, trx)
    if (!order) return { status: 'ignored', detail: `no order for session ${session.id}` }
    if (order.status === 'paid' || order.status === 'refunded') {
      return { status: 'duplicate', detail: `order ${order.id} already ${order.status}` }
    }
    if (order.stripeCheckoutSessionId && order.stripeCheckoutSessionId !== session.id) {
      return {
        status: 'ignored',
        detail: `order ${order.id} belongs to session ${order.stripeCheckoutSessionId}`,
      }
    }
    const paymentIntentId =
      typeof session.payment_intent === 'string'
        ? session.payment_intent
        : (session.payment_intent?.id ?? null)
    const chargeId = paymentIntentId ? await this.stripe.chargeOf(paymentIntentId) : null
    const amount = session.amount_total ?? order.amountCents
    if (amount !== order.amountCents) {
      logger.warn(
        { orderId: order.id, expected: order.amountCents, paid: amount },
        'checkout amount differs from the order'
      )
    }

    order.merge({
      amountCents: amount,
      status: 'paid',
      paidAt: DateTime.now(),
      stripeCheckoutSessionId: session.id,
      stripePaymentIntentId: paymentIntentId,
      stripeChargeId: chargeId,
    })
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
      logger.warn(
        { orderId: order.id, licenceId: licence.id },
        'paid order for a version the buyer already holds'
      )
    }
    await this.ledger.recordSale(order, split, trx)
    for (const share of split.shares) {
      await Transfer.create(
        {
          creatorId: share.creatorId,
          orderId: order.id,
          amountCents: share.cents,
          currency: order.currency,
          status: 'pending',
          sourceTransaction: chargeId,
        },
        { client: trx }
      )
    }
    return {
      status: 'processed',
      detail: `order ${order.id} paid, licence ${licence.id}`,
      after: () => this.transfers.sendTransfers(order.id),
    }
  }

  /** An abandoned checkout: its order is cancelled, if it is still pending. */
  async #expired(
    session: Stripe.Checkout.Session,
    trx: TransactionClientContract
  ): Promise<Handled> {
    const order = await this.#orderOfSession(session, trx)
    if (!order || order.status !== 'pending')
      return { status: 'ignored', detail: `nothing pending for session ${session.id}` }
    order.status = 'cancelled'
    await order.save()
    return { status: 'processed', detail: `order ${order.id} cancelled` }
  }

  /** A creator's connected account changed: its onboarding state is mirrored on the user. */
  async #accountUpdated(account: Stripe.Account, trx: TransactionClientContract): Promise<Handled> {
    const creator = await User.query({ client: trx })
      .where('stripe_account_id', account.id)
      .forUpdate()
      .first()
    if (!creator) return { status: 'ignored', detail: `no creator with account ${account.id}` }
    const status = StripeService.connectStatus(account)
    const becameReady = status === 'ready' && creator.stripeAccountStatus !== 'ready'
    creator.stripeAccountStatus = status
    await creator.save()
    return {
      status: 'processed',
      detail: `creator ${creator.id} account ${status}`,
      after: becameReady ? () => this.transfers.sendPendingTransfersOf(creator.id) : undefined,
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
