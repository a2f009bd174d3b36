import Stripe from 'stripe'
import logger from '@adonisjs/core/services/logger'
import stripeConfig, { paymentsConfigured } from '#config/stripe'

export type StripeSettings = {
  secretKey: string | undefined
  webhookSecret: string | undefined
  /** The Connect endpoint's secret (events of connected accounts); optional. */
  connectWebhookSecret?: string | undefined
  apiBase: string | undefined
}

export type PaymentErrorCode =
  | 'E_PAYMENTS_NOT_CONFIGURED'
  | 'E_STRIPE_UNREACHABLE'
  | 'E_STRIPE_AUTH'
  | 'E_STRIPE_REFUSED'
  | 'E_STRIPE_FAILED'

/** A Stripe call that did not work, with the sentence a person reads; the log keeps the code. */
export class PaymentError extends Error {
  constructor(
    readonly code: PaymentErrorCode,
    message: string,
    readonly cause?: unknown
  ) {
    super(message)
  }
}

/** A webhook whose signature is missing, forged or too old. */
export class SignatureError extends Error {}

/** Onboarding state of a creator's connected account, as the users table stores it. */
export type ConnectStatus = 'none' | 'pending' | 'ready'

const clients = new Map<string, Stripe>()

/**
 * The only door to Stripe. Built from `config/stripe.ts`; a set `apiBase` sends the client to
 * another server speaking Stripe's wire format (the fake Stripe of the tests and the demo).
 * Not `@inject()`ed: the container builds it with `config/stripe.ts`'s object, read on each
 * call, so a test (or the demo) that repoints that object repoints the catalog's
 * `paymentsConfigured()` and this service together (tests/helpers/stripe.ts).
 */
export class StripeService {
  constructor(readonly settings: StripeSettings = stripeConfig) {}

  /** Whether paid checkouts can run: a secret key and a webhook secret are set. */
  get configured() {
    return paymentsConfigured(this.settings)
  }

  get client(): Stripe {
    if (!this.settings.secretKey) {
      throw new PaymentError(
        'E_PAYMENTS_NOT_CONFIGURED',
        'Payments are not configured on this instance.'
      )
    }
    // Settings are read on each use (a test or the demo may repoint them); one client per pair.
    const key = `${this.settings.apiBase ?? ''} ${this.settings.secretKey}`
    let client = clients.get(key)
    if (!client) {
      client = new Stripe(this.settings.secretKey, {
        maxNetworkRetries: 2,
        timeout: 20_000,
        telemetry: false,
        ...serverOptions(this.settings.apiBase),
      })
      clients.set(key, client)
    }
    return client
  }

  /** A Checkout Session in the platform account (separate charges and transfers). */
  createCheckoutSession(params: Stripe.Checkout.SessionCreateParams, idempotencyKey: string) {
    return this.#call('start the checkout', () =>
      this.client.checkout.sessions.create(params, { idempotencyKey })
    )
  }

  retrieveCheckoutSession(id: string) {
    return this.#call('read the checkout', () => this.client.checkout.sessions.retrieve(id))
  }

  /** Closes an open Checkout Session, so a buyer who left cannot pay it later from another tab. */
  expireCheckoutSession(id: string) {
    return this.#call('close the checkout', () => this.client.checkout.sessions.expire(id))
  }

  /** The charge behind a payment intent: what transfers name as `source_transaction`. */
  async chargeOf(paymentIntentId: string) {
    const intent = await this.#call('read the payment', () =>
      this.client.paymentIntents.retrieve(paymentIntentId)
    )
    const charge = intent.latest_charge
    return typeof charge === 'string' ? charge : (charge?.id ?? null)
  }

  /** Money from the platform's balance to a connected account; the key makes a retry return the same transfer. */
  createTransfer(params: Stripe.TransferCreateParams, idempotencyKey: string) {
    return this.#call('send the transfer', () =>
      this.client.transfers.create(params, { idempotencyKey })
    )
  }

  /** Takes a transfer back from the connected account (after a refund). */
  reverseTransfer(
    transferId: string,
    params: Stripe.TransferCreateReversalParams,
    idempotencyKey: string
  ) {
    return this.#call('reverse the transfer', () =>
      this.client.transfers.createReversal(transferId, params, { idempotencyKey })
    )
  }

  /** A creator's Express connected account; the key makes a double click return the same account. */
  createExpressAccount(params: Omit<Stripe.AccountCreateParams, 'type'>, idempotencyKey: string) {
    return this.#call('open your Stripe account', () =>
      this.client.accounts.create({ ...params, type: 'express' }, { idempotencyKey })
    )
  }

  /** A single-use onboarding link (it expires within minutes: make a fresh one on each visit). */
  createAccountLink(params: Stripe.AccountLinkCreateParams) {
    return this.#call('open Stripe onboarding', () => this.client.accountLinks.create(params))
  }

  /** A connected account as Stripe sees it now (what `connectStatus` reads). */
  retrieveAccount(accountId: string) {
    return this.#call('read your Stripe account', () => this.client.accounts.retrieve(accountId))
  }

  /** A full refund of an order's payment; Stripe's `charge.refunded` webhook does the rest. */
  createRefund(params: Stripe.RefundCreateParams, idempotencyKey: string) {
    return this.#call('refund the payment', () =>
      this.client.refunds.create(params, { idempotencyKey })
    )
  }

  /** A verified event from a webhook's raw body; a forged or stale signature throws. */
  constructEvent(rawBody: string, signature: string | undefined): Stripe.Event {
    if (!this.settings.webhookSecret)
      throw new SignatureError('Webhooks are not configured on this instance.')
    if (!signature) throw new SignatureError('The Stripe-Signature header is missing.')
    // The platform endpoint's secret first, then the Connect endpoint's: Stripe signs a
    // connected account's events (account.updated, payout.*) with the latter.
    let refusal: unknown
    for (const secret of [this.settings.webhookSecret, this.settings.connectWebhookSecret]) {
      if (!secret) continue
      try {
        // The library's default tolerance (300 s) refuses replays of old deliveries.
        return Stripe.webhooks.constructEvent(rawBody, signature, secret)
      } catch (error) {
        refusal ??= error
      }
    }
    throw new SignatureError(
      refusal instanceof Error ? refusal.message : 'The signature does not match.'
    )
  }

  /** ready: transfers can land; pending: onboarding begun; none: no account. */
  static connectStatus(
    account: Pick<Stripe.Account, 'capabilities' | 'payouts_enabled' | 'details_submitted'> | null
  ) {
    if (!account) return 'none' satisfies ConnectStatus
    const transfers = account.capabilities?.transfers
    return (
      transfers === 'active' && account.details_submitted ? 'ready' : 'pending'
    ) satisfies ConnectStatus
  }

  async #call<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      if (error instanceof PaymentError) throw error
      throw toPaymentError(action, error)
    }
  }
}

/** host/port/protocol for the stripe client when `apiBase` names another server. */
function serverOptions(apiBase: string | undefined): Partial<Stripe.StripeConfig> {
  if (!apiBase) return {}
  const url = new URL(apiBase)
  const protocol = url.protocol === 'http:' ? 'http' : 'https'
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol }
}

function toPaymentError(action: string, error: unknown) {
  if (!(error instanceof Stripe.errors.StripeError)) {
    logger.error({ err: error }, 'stripe call failed: %s', action)
    return new PaymentError(
      'E_STRIPE_FAILED',
      `Stripe could not ${action}. Try again in a minute.`,
      error
    )
  }
  logger.warn(
    { code: error.code, type: error.type, requestId: error.requestId },
    'stripe refused: %s',
    action
  )
  switch (error.type) {
    case 'StripeConnectionError':
      return new PaymentError(
        'E_STRIPE_UNREACHABLE',
        `Stripe cannot be reached right now, so we could not ${action}. Try again in a minute.`,
        error
      )
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
      return new PaymentError(
        'E_STRIPE_AUTH',
        `This instance's Stripe keys were refused, so we could not ${action}. An administrator has to check them.`,
        error
      )
    case 'StripeInvalidRequestError':
    case 'StripeCardError':
    case 'StripeIdempotencyError':
      return new PaymentError(
        'E_STRIPE_REFUSED',
        `Stripe refused to ${action}: ${error.message}`,
        error
      )
    default:
      return new PaymentError(
        'E_STRIPE_FAILED',
        `Stripe could not ${action} (${error.message}). Try again in a minute.`,
        error
      )
  }
}
