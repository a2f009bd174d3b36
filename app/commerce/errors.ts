import { FeatureError, defineErrors } from '#app/core/errors'
import type { RefundResult, RetryResult } from '#app/commerce/admin_payouts_service'

/*
 * commerce/'s refusals of an admin's money actions. The service returns them as values
 * (`{ ok: false, code, … }`, what the sentence names); the controller flashes the sentence,
 * and a missing order or transfer is raised as a 404.
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
      `Stripe refused the transfer again: ${message} It stays pending.`,
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
