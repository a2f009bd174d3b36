import { createHmac } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import {
  InternalAddressError,
  bareHost,
  isInternalAddress,
  publicOnlyLookup,
} from '#app/core/outbound_address'
import webhooksConfig from '#config/webhooks'

/*
 * One signed POST of an event to a buyer's endpoint, and the sentence for its failure: the
 * wire side of a delivery. WebhookService decides what to send and records the outcome.
 */

/** An attempt that has not answered after this long has failed; it is retried like a 500. */
export const WEBHOOK_TIMEOUT_MS = 10_000

/**
 * The `Athera-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The timestamp is signed with the body, so a receiver can refuse a replayed old request.
 */
export function signature(secret: string, timestamp: number, body: string) {
  const digest = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
  return `t=${timestamp},v1=${digest}`
}

/** The endpoint's secret could not be decrypted: the attempt fails rather than send unsigned. */
export class SecretUnreadable extends Error {}

/**
 * POSTs the body and answers the status. A redirect is not followed (the signed request goes
 * only where the buyer said), the receiver's body is read and dropped (never stored or shown),
 * and, unless WEBHOOK_ALLOW_INTERNAL, the address connected to must be public: a name is
 * checked where it resolves at this moment, not only when it was saved.
 */
export function postEvent(
  target: string,
  headers: Record<string, string>,
  body: string
): Promise<number> {
  const url = new URL(target)
  const host = bareHost(url)
  if (!webhooksConfig.allowInternal && isIP(host) && isInternalAddress(host)) {
    return Promise.reject(new InternalAddressError(host))
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: webhooksConfig.allowInternal ? undefined : publicOnlyLookup,
        // The whole exchange, not only idle time: a receiver trickling bytes still ends in time.
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
        response.on('error', reject)
      }
    )
    request.on('error', reject)
    request.end(body)
  })
}

/** Why an attempt failed, in the buyer's words (the delivery log shows it). */
export function describeFailure(failure: unknown) {
  if (failure instanceof InternalAddressError) return `Not sent: ${failure.message}.`
  if (failure instanceof SecretUnreadable) {
    return 'The signing secret cannot be read (the instance’s APP_KEY changed): make a new secret on the webhook page.'
  }
  const error = failure as {
    name?: string
    message?: string
    cause?: { code?: string; message?: string }
  }
  if (error.name === 'TimeoutError' || error.name === 'AbortError')
    return `No answer within ${WEBHOOK_TIMEOUT_MS / 1000} seconds.`
  const cause =
    error.cause?.code ??
    error.cause?.message ??
    (error as { code?: string }).code ??
    error.message ??
    'unknown error'
  return `The endpoint could not be reached (${cause}).`
}
