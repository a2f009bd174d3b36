import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type Stripe from 'stripe'
import { DateTime } from 'luxon'
import Order from '#models/order'
import { LedgerService } from '#app/commerce/ledger_service'
import { LicenceIssuer } from '#app/licences/public'
import { CreatorTransfers, disputeOpen } from '#app/commerce/creator_transfers'
import type { Handled } from '#app/commerce/stripe_webhook_service'

/**
 * How long a refund of a charge with no paid order is refused (so Stripe redelivers it once
 * the payment event has arrived) before it is recorded for the admins and accepted.
 */
export const ORPHAN_REFUND_GRACE_S = 60 * 60

/** An event that arrived before the one it depends on (a refund before the payment). */
export class NotYetApplicable extends Error {}

/**
 * Money going back to the buyer, as Stripe's events tell it: refunds (whole or partial) and
 * disputes (opened, won, lost), with what each means for the ledger, the licence and the
 * creators' transfers. Events that match no order here are kept for the admins.
 */
@inject()
export class PaymentReversals {
  constructor(
    protected ledger: LedgerService,
    protected licences: LicenceIssuer,
    protected transfers: CreatorTransfers
  ) {}

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
  async refunded(
    charge: Stripe.Charge,
    event: Stripe.Event,
    trx: TransactionClientContract
  ): Promise<Handled> {
    const order = await this.#orderOfCharge(charge.id, charge.payment_intent, trx)
    if (
      !order ||
      order.status === 'pending' ||
      order.status === 'cancelled' ||
      order.status === 'failed'
    ) {
      const waiting =
        (!order || order.status === 'pending') &&
        Date.now() / 1000 - event.created < ORPHAN_REFUND_GRACE_S
      if (waiting) throw new NotYetApplicable(`no paid order for charge ${charge.id} yet`)
      const detail = order
        ? `A refund of ${charge.amount_refunded} (charge ${charge.id}) for order ${order.id}, which is ${order.status}: refund it by hand if the buyer was charged.`
        : `A refund of ${charge.amount_refunded} (charge ${charge.id}) matches no order of this instance.`
      await this.#anomaly(event, charge.id, charge.amount_refunded, charge.currency, detail, trx)
      return { status: 'ignored', detail }
    }
    if (order.status === 'refunded')
      return { status: 'duplicate', detail: `order ${order.id} already refunded` }
    const full = charge.refunded || charge.amount_refunded >= order.amountCents
    const fresh = charge.amount_refunded - order.refundedCents
    if (fresh <= 0 && !full)
      return { status: 'duplicate', detail: `refunds of order ${order.id} already recorded` }

    if (full && order.refundedCents === 0 && !order.disputeStatus) {
      await this.ledger.reverseSale(order, trx)
    } else if (fresh > 0) {
      const parts = await this.ledger.takeBack(order, fresh, 'cash', trx)
      if (!full) await this.transfers.giveBackParts(order, parts, charge.amount_refunded, trx)
    }
    order.refundedCents = Math.max(order.refundedCents, charge.amount_refunded)
    if (!full) {
      await order.save()
      return {
        status: 'processed',
        detail: `order ${order.id} partly refunded (${order.refundedCents} of ${order.amountCents}); licence kept`,
      }
    }
    order.merge({ status: 'refunded', refundedAt: DateTime.now() })
    await order.save()
    const licence = await order.related('licence').query().first()
    if (licence)
      await this.licences.revoke(
        licence,
        `The payment was refunded on ${DateTime.now().toISODate()}.`,
        trx
      )
    await this.transfers.takeBackTransfers(
      order,
      'The order was refunded before this transfer was sent.',
      trx
    )
    return { status: 'processed', detail: `order ${order.id} refunded` }
  }

  /**
   * A dispute (chargeback) opened: Stripe withdraws the disputed amount from the balance,
   * which the ledger holds as `disputed_funds`. The licence is kept while the dispute is open
   * (an accusation is not a verdict); the order's unsent transfers wait for its outcome.
   */
  async disputeCreated(
    dispute: Stripe.Dispute,
    event: Stripe.Event,
    trx: TransactionClientContract
  ): Promise<Handled> {
    const chargeId = typeof dispute.charge === 'string' ? dispute.charge : dispute.charge.id
    const order = await this.#orderOfCharge(chargeId, dispute.payment_intent, trx)
    if (!order || (order.status !== 'paid' && order.status !== 'refunded')) {
      const detail = `A dispute of ${dispute.amount} (${dispute.id}, charge ${chargeId}) matches no paid order of this instance: answer it in Stripe's dashboard.`
      await this.#anomaly(event, dispute.id, dispute.amount, dispute.currency, detail, trx)
      return { status: 'ignored', detail }
    }
    if (order.stripeDisputeId === dispute.id)
      return { status: 'duplicate', detail: `dispute ${dispute.id} already recorded` }
    order.merge({ stripeDisputeId: dispute.id, disputeStatus: dispute.status })
    await order.save()
    // An inquiry (warning_*) withdraws nothing; only a formal dispute takes the money.
    if (!dispute.status.startsWith('warning_'))
      await this.ledger.recordDispute(order, dispute.amount, 'withdrawn', dispute.id, trx)
    return {
      status: 'processed',
      detail: `order ${order.id} disputed (${dispute.id}); licence kept while open`,
    }
  }

  /**
   * A dispute decided. Won: the withdrawn amount comes back, the licence stays, held transfers
   * go out. Lost: the money went back to the buyer as a refund would, so the licence is
   * revoked and the sale written off against the disputed funds, transfers taken back.
   */
  async disputeClosed(
    dispute: Stripe.Dispute,
    event: Stripe.Event,
    trx: TransactionClientContract
  ): Promise<Handled> {
    const chargeId = typeof dispute.charge === 'string' ? dispute.charge : dispute.charge.id
    const order = await this.#orderOfCharge(chargeId, dispute.payment_intent, trx)
    if (!order || order.stripeDisputeId !== dispute.id) {
      const detail = `A closed dispute (${dispute.id}, ${dispute.status}, charge ${chargeId}) that was never recorded as opened here.`
      await this.#anomaly(event, dispute.id, dispute.amount, dispute.currency, detail, trx)
      return { status: 'ignored', detail }
    }
    if (!disputeOpen(order.disputeStatus))
      return {
        status: 'duplicate',
        detail: `dispute ${dispute.id} already closed (${order.disputeStatus})`,
      }
    order.disputeStatus = dispute.status
    if (dispute.status !== 'lost') {
      await order.save()
      if (dispute.status !== 'warning_closed')
        await this.ledger.recordDispute(order, dispute.amount, 'reinstated', dispute.id, trx)
      return {
        status: 'processed',
        detail: `dispute ${dispute.id} ${dispute.status}; licence kept`,
        after: () => this.transfers.sendTransfers(order.id),
      }
    }
    await this.ledger.takeBack(order, dispute.amount, 'disputed_funds', trx)
    if (order.status === 'paid') order.merge({ status: 'refunded', refundedAt: DateTime.now() })
    await order.save()
    const licence = await order.related('licence').query().whereNull('revoked_at').first()
    if (licence)
      await this.licences.revoke(
        licence,
        `The payment was taken back by the buyer's bank (dispute lost on ${DateTime.now().toISODate()}).`,
        trx
      )
    await this.transfers.takeBackTransfers(
      order,
      "The buyer's bank took the payment back before this transfer was sent.",
      trx
    )
    return {
      status: 'processed',
      detail: `dispute ${dispute.id} lost; order ${order.id} refunded, licence revoked`,
    }
  }

  /** Kept for the admins' ledger page; a redelivery of the same event adds nothing. */
  async #anomaly(
    event: Stripe.Event,
    objectId: string,
    amountCents: number | null,
    currency: string | null,
    detail: string,
    trx: TransactionClientContract
  ) {
    logger.warn(
      { stripeEventId: event.id, type: event.type, objectId },
      'stripe event recorded for admins: %s',
      detail
    )
    await trx.rawQuery(
      `INSERT INTO payment_anomalies (stripe_event_id, type, stripe_object_id, amount_cents, currency, detail) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (stripe_event_id) DO NOTHING`,
      // knex binds null as SQL NULL; its binding type only omits it.
      [
        event.id,
        event.type,
        objectId,
        amountCents as number,
        (currency ? currency.toUpperCase() : null) as string,
        detail,
      ]
    )
  }

  async #orderOfCharge(
    chargeId: string,
    intent: string | { id: string } | null,
    trx: TransactionClientContract
  ) {
    const paymentIntentId = typeof intent === 'string' ? intent : (intent?.id ?? null)
    const query = Order.query({ client: trx }).forUpdate()
    query.where((where) => {
      where.where('stripe_charge_id', chargeId)
      if (paymentIntentId) where.orWhere('stripe_payment_intent_id', paymentIntentId)
    })
    return query.first()
  }
}
