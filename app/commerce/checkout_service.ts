import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import { DateTime } from 'luxon'
import { errors as lucidErrors } from '@adonisjs/lucid'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import env from '#start/env'
import Order from '#models/order'
import Licence from '#models/licence'
import DatasetVersion from '#models/dataset_version'
import type User from '#models/user'
import type LicenceText from '#models/licence_text'
import {
  LicenceIssuer,
  LicenceTextService,
  type AgreementInput,
  type AgreementResult,
} from '#app/licences/public'
import { platformFee } from '#app/commerce/ledger_split'
import { SettingsStore } from '#app/core/settings_store'
import { PaymentError, StripeService } from '#app/core/stripe_service'
import { notForSale, saleStatus } from '#app/datasets/public'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export type CheckoutResult =
  | { ok: true; url: string; order: Order }
  | { ok: false; code: 'E_ALREADY_LICENSED'; licence: Licence }
  | { ok: false; code: 'E_FREE'; slug: string }
  | { ok: false; code: 'E_NOT_CONFIGURED'; slug: string }
  | { ok: false; code: 'E_NO_CHECKOUT_PAGE'; slug: string }
  /** `message`: what Stripe's refusal means, as app/core/stripe_service.ts words it. */
  | { ok: false; code: 'E_STRIPE'; slug: string; message: string }

export type ClaimResult =
  { ok: true; licence: Licence; created: boolean } | { ok: false; code: 'E_NOT_FREE'; slug: string }

/**
 * Buying a dataset version: the order is written first (pending), then a Checkout Session in
 * the platform's own account (separate charges and transfers, no destination charge); the
 * webhook finishes the order. Free versions are claimed directly.
 */
@inject()
export class CheckoutService {
  constructor(
    protected stripe: StripeService,
    protected licences: LicenceIssuer,
    protected settings: SettingsStore,
    protected terms: LicenceTextService
  ) {}

  /**
   * What a buy or claim form asks for: the purchasable version (see purchasable()) and the
   * licence text the buyer agreed to, or the coded reason the terms were not agreed, with the
   * dataset page to send them back to.
   */
  async agreedVersion(
    versionId: string,
    input: AgreementInput
  ): Promise<
    | { ok: true; version: DatasetVersion; text: LicenceText }
    | (Exclude<AgreementResult, { ok: true }> & { slug: string })
  > {
    const version = await this.purchasable(versionId)
    const agreement = await this.terms.agreedTo(version.licenceType, input)
    if (!agreement.ok) return { ...agreement, slug: version.dataset.slug }
    return { ok: true, version, text: agreement.text }
  }

  /**
   * A version a buyer may license now: the latest of a published dataset, with licensable
   * clips and none its consent never covered. A version that does not exist (or whose dataset
   * was never published) is a 404; one that exists but is not for sale is a 409 with the reason.
   */
  async purchasable(versionId: string) {
    const version = await DatasetVersion.query()
      .where('id', versionId)
      .whereHas('dataset', (dataset) => dataset.whereIn('status', ['published', 'archived']))
      .preload('dataset')
      .firstOrFail()
    const sale = await saleStatus(version.id)
    if (!sale?.purchasable) {
      const back =
        version.dataset.status === 'published' ? `/catalog/${version.dataset.slug}` : null
      throw notForSale.raise(
        sale?.code ?? 'E_UNPUBLISHED',
        sale?.facts ?? { version: version.version, latest: version.version, heldClips: 0 },
        { back }
      )
    }
    return version
  }

  /**
   * The Checkout page to send the buyer to, or the coded reason there is none. `text` is the
   * licence text the buyer agreed to; the order keeps it for the licence the webhook issues.
   */
  async start(buyer: User, version: DatasetVersion, text: LicenceText): Promise<CheckoutResult> {
    const slug = version.dataset.slug
    const live = await this.licences.live(buyer.id, version.id)
    if (live) return { ok: false, code: 'E_ALREADY_LICENSED', licence: live }
    if (version.priceCents === 0) return { ok: false, code: 'E_FREE', slug }
    if (!this.stripe.configured) return { ok: false, code: 'E_NOT_CONFIGURED', slug }

    // One buyer, one version, one checkout at a time: two clicks or tabs at once would
    // otherwise both find no open session and each start an order with its own session. The
    // lock is the transaction's; the second waits, then finds the first one's session.
    return db.transaction(async (trx) => {
      await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtext(?))', [
        `checkout:${buyer.id}:${version.id}`,
      ])
      try {
        const open = await this.#openCheckout(buyer, version, text, trx)
        if (open) return { ok: true as const, ...open }
      } catch (error) {
        if (!(error instanceof PaymentError)) throw error
        return { ok: false as const, code: 'E_STRIPE' as const, slug, message: error.message }
      }

      const order = await Order.create(
        {
          buyerId: buyer.id,
          datasetVersionId: version.id,
          amountCents: version.priceCents,
          currency: version.currency,
          platformFeeCents: platformFee(
            version.priceCents,
            await this.settings.get('commission_bps')
          ),
          status: 'pending',
          licenceTextId: text.id,
        },
        { client: trx }
      )
      const appUrl = env.get('APP_URL').replace(/\/$/, '')
      let session
      try {
        // The key is the order's: a retry for this order returns its one session, never a second.
        session = await this.stripe.createCheckoutSession(
          {
            mode: 'payment',
            client_reference_id: order.id,
            customer_email: buyer.email,
            line_items: [
              {
                quantity: 1,
                price_data: {
                  currency: version.currency.toLowerCase(),
                  unit_amount: version.priceCents,
                  product_data: {
                    name: `${version.dataset.title} (version ${version.version})`,
                    description: `${version.licenceType === 'commercial' ? 'Commercial' : 'Research'} licence`,
                  },
                },
              },
            ],
            metadata: {
              order_id: order.id,
              dataset_version_id: version.id,
              buyer_id: String(buyer.id),
            },
            payment_intent_data: {
              metadata: { order_id: order.id },
              transfer_group: `order_${order.id}`,
            },
            success_url: `${appUrl}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
            cancel_url: `${appUrl}/checkout/cancel?order=${order.id}`,
          },
          `checkout-${order.id}`
        )
      } catch (error) {
        if (!(error instanceof PaymentError)) throw error
        await notStarted(order, error.code)
        return { ok: false as const, code: 'E_STRIPE' as const, slug, message: error.message }
      }
      if (!session.url) {
        await notStarted(order, 'E_NO_CHECKOUT_PAGE')
        return { ok: false as const, code: 'E_NO_CHECKOUT_PAGE' as const, slug }
      }
      order.stripeCheckoutSessionId = session.id
      await order.save()
      return { ok: true as const, url: session.url, order }
    })
  }

  /**
   * The buyer's checkout for this version still open at Stripe, if any: a second click or a
   * second tab goes back to the same session, so one licence can never be paid for twice.
   */
  async #openCheckout(
    buyer: User,
    version: DatasetVersion,
    text: LicenceText,
    trx: TransactionClientContract
  ) {
    const order = await Order.query({ client: trx })
      .where('buyer_id', buyer.id)
      .where('dataset_version_id', version.id)
      .where('status', 'pending')
      .whereNotNull('stripe_checkout_session_id')
      .where('created_at', '>', DateTime.now().minus({ hours: 23 }).toSQL()!)
      .orderBy('created_at', 'desc')
      .first()
    if (!order) return null
    const session = await this.stripe.retrieveCheckoutSession(order.stripeCheckoutSessionId!)
    if (session.status === 'expired') {
      // Its session can no longer be paid: the order is over (the expiry webhook may be late).
      order.status = 'cancelled'
      await order.save()
      return null
    }
    if (session.status !== 'open' || !session.url || session.amount_total !== version.priceCents)
      return null
    // The buyer has just agreed again, maybe to a newer version: the licence cites that one.
    if (order.licenceTextId !== text.id) {
      order.licenceTextId = text.id
      await order.save()
    }
    return { url: session.url, order }
  }

  /**
   * A free version's licence under the text the buyer agreed to, issued at once; a second
   * claim returns the same licence.
   */
  async claim(buyer: User, version: DatasetVersion, text: LicenceText): Promise<ClaimResult> {
    if (version.priceCents !== 0)
      return { ok: false, code: 'E_NOT_FREE', slug: version.dataset.slug }
    const { licence, created } = await this.licences.issue({
      buyerId: buyer.id,
      version,
      source: 'free',
      text,
    })
    return { ok: true, licence, created }
  }

  /** The buyer's order behind a Checkout Session, with its licence once the webhook issued it. */
  async orderOfSession(buyer: User, sessionId: string) {
    if (!sessionId) throw new lucidErrors.E_ROW_NOT_FOUND(Order)
    const order = await Order.query()
      .where('stripe_checkout_session_id', sessionId)
      .where('buyer_id', buyer.id)
      .preload('datasetVersion', (query) => query.preload('dataset'))
      .preload('licence')
      .firstOrFail()
    return order
  }

  /** The buyer's order behind Stripe's cancel_url, as it stands: reading it changes nothing. */
  async orderToCancel(buyer: User, orderId: string) {
    if (!UUID.test(orderId)) throw new lucidErrors.E_ROW_NOT_FOUND(Order)
    return Order.query()
      .where('id', orderId)
      .where('buyer_id', buyer.id)
      .preload('datasetVersion', (query) => query.preload('dataset'))
      .firstOrFail()
  }

  /**
   * The buyer cancels (a POST from the cancel page: a link, a prefetch or a crawler never
   * does): the order is cancelled if nothing else finished it, and its session closed.
   */
  async cancel(buyer: User, orderId: string) {
    const order = await this.orderToCancel(buyer, orderId)
    // Conditional update: a webhook that marked it paid meanwhile wins.
    const changed = await Order.query()
      .where('id', order.id)
      .where('status', 'pending')
      .update({ status: 'cancelled', updated_at: new Date() })
    await order.refresh()
    if (affectedRows(changed) > 0 && order.stripeCheckoutSessionId && this.stripe.configured) {
      // Close it at Stripe too; if that fails the session expires by itself within a day.
      await this.stripe.expireCheckoutSession(order.stripeCheckoutSessionId).catch((error) => {
        if (!(error instanceof PaymentError)) throw error
        logger.warn(
          { orderId: order.id, code: error.code },
          'checkout session left open: %s',
          error.message
        )
      })
    }
    return order
  }
}

/** An order whose checkout did not start is over: a new attempt writes a new one. */
async function notStarted(order: Order, code: string) {
  order.status = 'failed'
  await order.save()
  logger.warn({ orderId: order.id, code }, 'checkout not started')
}

/** Rows an UPDATE changed, whichever shape the driver reports it in. */
function affectedRows(result: unknown) {
  return Number(Array.isArray(result) ? result[0] : result) || 0
}
