import { FeatureError, defineErrors } from '#app/core/errors'
import { InternalAddressError } from '#app/core/outbound_address'
import type { RotateResult, TestResult, WebhookUrlRefusal } from '#app/webhooks/webhook_service'

/*
 * webhooks/' refusals. The URL check and WebhookService return them as values (`{ ok: false,
 * code, … }`, what the sentence names); the controllers show the sentence: a URL's as the
 * form's error on its field (the validator's own messages for a missing or long URL are these
 * same sentences), the others as a flash.
 */

/** What a URL refusal's sentence names, as the check returns it (or as a validator knows it). */
type UrlFacts<Code> = Omit<Extract<WebhookUrlRefusal, { code: Code }>, 'ok' | 'code'>

/** Why a URL cannot receive events. */
export class WebhookUrlError extends FeatureError<WebhookUrlRefusal['code']> {}

export const webhookUrlErrors = defineErrors(WebhookUrlError, {
  E_URL_MISSING: { status: 422, sentence: 'Enter the URL that should receive the events.' },
  E_URL_TOO_LONG: {
    status: 422,
    sentence: ({ max }: UrlFacts<'E_URL_TOO_LONG'>) =>
      `The URL is too long (at most ${max} characters).`,
  },
  E_NOT_A_URL: {
    status: 422,
    sentence: 'This is not a URL: it should look like https://example.com/athera/events.',
  },
  E_URL_SCHEME: { status: 422, sentence: 'Only http:// and https:// URLs can receive events.' },
  E_URL_CREDENTIALS: {
    status: 422,
    sentence:
      'Leave the user name and password out of the URL: the signature authenticates each event.',
  },
  E_URL_INTERNAL: {
    status: 422,
    sentence: ({ host }: UrlFacts<'E_URL_INTERNAL'>) =>
      `Events cannot be sent there: ${new InternalAddressError(host).message}. Use the public address of your receiver.`,
  },
})

/** Why an action on the endpoint was not taken: there is no endpoint yet. */
export class WebhookError extends FeatureError<WebhookRefusal['code']> {}
type WebhookRefusal = Exclude<RotateResult | TestResult, { ok: true }>

export const webhookErrors = defineErrors(WebhookError, {
  E_NO_WEBHOOK_TO_ROTATE: {
    status: 409,
    sentence: 'Set a webhook URL first; its secret comes with it.',
  },
  E_NO_WEBHOOK_TO_TEST: {
    status: 409,
    sentence: 'Set a webhook URL first, then send it a test event.',
  },
})
