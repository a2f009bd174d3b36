import { FeatureError, defineErrors } from '#app/core/errors'
import type { RefundResult, RetryResult } from '#app/commerce/admin_payouts_service'
import type { CheckoutResult, ClaimResult } from '#app/commerce/checkout_service'
import type { ConnectRefusal } from '#app/commerce/connect_service'

/*
 * commerce/'s refusals: of an admin's money actions, of a buyer's checkout or claim, and of a
 * creator's Stripe onboarding. The services return them as values (`{ ok: false, code, … }`,
 * what the sentence names); the controller flashes the sentence, and a missing order or
 * transfer is raised as a 404.
 */

type Refusal<Result, Code> = Extract<Result, { code: Code }>

const NO_STRIPE = 'Payments are not configured on this instance (no Stripe keys)'

/** Why a transfer was not sent again. */
export class TransferError extends FeatureError<RetryRefusal['code']> {}
type RetryRefusal = Exclude<RetryResult, { ok: true }>

export const transferErrors = defineErrors(TransferError, {
  E_NOT_FOUND: { status: 404, sentence: 'This transfer does not exist.' },
  E_PAYMENTS_NOT_CONFIGURED: { status: 409, sentence: `${NO_STRIPE}, so no transfer can be sent.` },
  E_NOT_RETRYABLE: {
    status: 409,
    sentence: ({ status, reason }: Refusal<RetryResult, 'E_NOT_RETRYABLE'>) =>
      status === 'failed'
        ? `This transfer was cancelled${reason ? `: ${reason}` : '.'} There is nothing to send.`
        : `This transfer is already ${status}; only a pending or refused transfer can be sent again.`,
  },
  E_ORDER_NOT_PAID: {
    status: 409,
    sentence: ({ orderStatus }: Refusal<RetryResult, 'E_ORDER_NOT_PAID'>) =>
      `The order is ${orderStatus}, not paid, so its share cannot be sent.`,
  },
  E_ACCOUNT_NOT_READY: {
    status: 409,
    sentence: ({ creator, connectStatus }: Refusal<RetryResult, 'E_ACCOUNT_NOT_READY'>) =>
      `${creator}'s Stripe account is ${connectStatus === 'none' ? 'not connected' : 'not ready yet'}. The transfer goes out by itself once Stripe reports the account ready.`,
  },
  E_STRIPE_REFUSED: {
    status: 502,
    sentence: ({ message }: Refusal<RetryResult, 'E_STRIPE_REFUSED'>) =>
      `Stripe refused the transfer again: ${message ?? 'Stripe refused the transfer.'} It stays pending.`,
  },
  E_UNCHANGED: {
    status: 409,
    sentence:
      'This transfer changed while you were looking at it (another request sent it). Nothing more was done.',
  },
})

/** Why a refund was not requested. */
export class RefundError extends FeatureError<RefundRefusal['code']> {}
type RefundRefusal = Exclude<RefundResult, { ok: true }>

export const refundErrors = defineErrors(RefundError, {
  E_NOT_FOUND: { status: 404, sentence: 'This order does not exist.' },
  E_PAYMENTS_NOT_CONFIGURED: {
    status: 409,
    sentence: `${NO_STRIPE}, so refunds cannot be requested. Revoke the licence from its page instead.`,
  },
  E_NOT_REFUNDABLE: {
    status: 409,
    sentence: ({ status }: Refusal<RefundResult, 'E_NOT_REFUNDABLE'>) =>
      `This order is ${status}; only a paid order can be refunded.`,
  },
  E_NO_PAYMENT: {
    status: 409,
    sentence:
      'This order has no Stripe payment on record, so there is nothing to refund at Stripe.',
  },
  E_STRIPE: { status: 502, sentence: ({ message }: Refusal<RefundResult, 'E_STRIPE'>) => message },
})

/** Why a buyer's checkout did not start, or a claim gave no licence; nothing was charged. */
export class CheckoutError extends FeatureError<CheckoutRefusal['code']> {}
type CheckoutRefusal = Exclude<CheckoutResult | ClaimResult, { ok: true }>

export const checkoutErrors = defineErrors(CheckoutError, {
  /** Not an error to the buyer: the page says so, and shows the licence they hold. */
  E_ALREADY_LICENSED: {
    status: 409,
    sentence: 'You already hold a licence for this dataset version.',
  },
  E_FREE: { status: 409, sentence: 'This dataset is free: use "Get it free" instead.' },
  E_NOT_FREE: { status: 409, sentence: 'This dataset is not free: buy it to get a licence.' },
  E_NOT_CONFIGURED: {
    status: 409,
    sentence:
      'Payments are not configured on this instance, so paid datasets cannot be bought yet. Nothing was charged.',
  },
  E_NO_CHECKOUT_PAGE: {
    status: 502,
    sentence: 'Stripe did not return a checkout page. Try again in a minute. Nothing was charged.',
  },
  E_STRIPE: {
    status: 502,
    sentence: ({ message }: Refusal<CheckoutResult, 'E_STRIPE'>) =>
      `${message} Nothing was charged.`,
  },
})

/** Why a creator was not sent to Stripe's onboarding, or back from it with a status. */
export class ConnectError extends FeatureError<ConnectRefusal['code']> {}

export const connectErrors = defineErrors(ConnectError, {
  E_NOT_CONFIGURED: {
    status: 409,
    sentence:
      'Payments are not configured on this instance, so payouts cannot be set up yet. Your earnings wait as a pending balance.',
  },
  E_NO_ACCOUNT: {
    status: 409,
    sentence:
      'You have not started Stripe onboarding yet: use "Connect with Stripe" on your dashboard.',
  },
  E_STRIPE: {
    status: 502,
    sentence: ({ message }: Refusal<ConnectRefusal, 'E_STRIPE'>) => message,
  },
})
