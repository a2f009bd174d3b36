import { randomBytes, randomUUID } from 'node:crypto'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import encryption from '@adonisjs/core/services/encryption'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import BuyerWebhook from '#models/buyer_webhook'
import type User from '#models/user'
import WebhookDelivery, { type WebhookEventType } from '#models/webhook_delivery'
import { WEBHOOK_FIRST_RETRY_MS, type JobContext } from '#jobs/registry'
import { QueueService } from '#app/core/queue_service'
import { bareHost, internalHostReason } from '#app/core/outbound_address'
import webhooksConfig from '#config/webhooks'
import { type WebhookUrlCheck, checkWebhookUrl } from '#app/webhooks/webhook_url'
import { SecretUnreadable, describeFailure, postEvent, signature } from '#app/webhooks/webhook_post'

/** Deliveries the webhook page lists. */
export const WEBHOOK_LOG_SIZE = 50

const SECRET_PURPOSE = 'buyer-webhook-secret'

/** One delivery job per delivery row; a repeated dispatch is a no-op (hyphen: see purgeJobId). */
export const deliveryJobId = (deliveryId: number) => `deliver-webhook-${deliveryId}`

/** Why a URL was not saved (app/webhooks/errors.ts words it): its form, or where it points. */
export type WebhookUrlRefusal =
  Exclude<WebhookUrlCheck, { ok: true }> | { ok: false; code: 'E_URL_INTERNAL'; host: string }

export type SaveResult =
  { ok: true; value: { endpoint: BuyerWebhook; created: boolean } } | WebhookUrlRefusal

export type RotateResult =
  { ok: true; value: BuyerWebhook } | { ok: false; code: 'E_NO_WEBHOOK_TO_ROTATE' }

export type TestResult =
  { ok: true; value: WebhookDelivery } | { ok: false; code: 'E_NO_WEBHOOK_TO_TEST' }

/** Milliseconds until BullMQ's exponential backoff runs the next attempt after `attempt` failed. */
export function retryDelayMs(attempt: number) {
  return WEBHOOK_FIRST_RETRY_MS * 2 ** (attempt - 1)
}

/**
 * A buyer's webhook endpoint and the events sent to it. The signing secret is kept encrypted
 * with the app key: HMAC needs the secret itself (a hash could not sign), and a database dump
 * alone does not give it away. The buyer may show it on their page at any time (they need it
 * to verify) and rotate it if it leaked.
 */
@inject()
export class WebhookService {
  constructor(protected queue: QueueService) {}

  endpointOf(user: User) {
    return BuyerWebhook.findBy('user_id', user.id)
  }

  /** The signing secret, or null when it cannot be decrypted (APP_KEY changed since: rotate it). */
  secretOf(endpoint: BuyerWebhook) {
    return encryption.decrypt<string>(endpoint.secret, SECRET_PURPOSE) ?? null
  }

  /** Sets or replaces the account's URL. A new endpoint gets a secret; a new URL keeps it. */
  async save(user: User, rawUrl: string): Promise<SaveResult> {
    const checked = checkWebhookUrl(rawUrl)
    if (!checked.ok) return checked
    if (!webhooksConfig.allowInternal) {
      const url = new URL(checked.url)
      if (await internalHostReason(url))
        return { ok: false, code: 'E_URL_INTERNAL', host: bareHost(url) }
    }
    const existing = await this.endpointOf(user)
    if (existing) {
      existing.url = checked.url
      await existing.save()
      return { ok: true, value: { endpoint: existing, created: false } }
    }
    const endpoint = await BuyerWebhook.create({
      userId: user.id,
      url: checked.url,
      secret: this.#sealed(newSecret()),
    })
    return { ok: true, value: { endpoint, created: true } }
  }

  /** A new secret; events signed from now on use it. */
  async rotateSecret(user: User): Promise<RotateResult> {
    const endpoint = await this.endpointOf(user)
    if (!endpoint) return { ok: false, code: 'E_NO_WEBHOOK_TO_ROTATE' }
    endpoint.secret = this.#sealed(newSecret())
    await endpoint.save()
    return { ok: true, value: endpoint }
  }

  /** Removes the endpoint; its pending deliveries stop, the log of past ones stays. */
  async remove(user: User) {
    const endpoint = await this.endpointOf(user)
    if (endpoint) await endpoint.delete()
    return Boolean(endpoint)
  }

  /** Queues a `test` event to the account's endpoint. */
  async sendTest(user: User): Promise<TestResult> {
    const endpoint = await this.endpointOf(user)
    if (!endpoint) return { ok: false, code: 'E_NO_WEBHOOK_TO_TEST' }
    const delivery = await this.#createDelivery(endpoint, 'test', null, {
      message: 'A test event from Athera: your endpoint receives and can verify events.',
    })
    await this.dispatch(delivery)
    return { ok: true, value: delivery }
  }

  /**
   * The `clip.withdrawn` delivery of a notice to its buyer's endpoint, created once (a unique
   * index on the notice); null when the buyer has no endpoint.
   */
  async deliveryForNotice(buyerId: number, noticeId: number, data: Record<string, unknown>) {
    const endpoint = await BuyerWebhook.findBy('user_id', buyerId)
    if (!endpoint) return null
    const existing = await WebhookDelivery.findBy('notice_id', noticeId)
    if (existing) return existing
    const eventId = randomUUID()
    const payload = eventBody(eventId, 'clip.withdrawn', DateTime.utc(), data)
    const { rows } = await db.rawQuery(
      `INSERT INTO webhook_deliveries (user_id, webhook_id, notice_id, event_id, event_type, payload)
       VALUES (?, ?, ?, ?, 'clip.withdrawn', ?)
       ON CONFLICT (notice_id) WHERE notice_id IS NOT NULL DO NOTHING
       RETURNING id`,
      [buyerId, endpoint.id, noticeId, eventId, JSON.stringify(payload)]
    )
    return rows.length
      ? WebhookDelivery.findOrFail(rows[0].id)
      : WebhookDelivery.findByOrFail('notice_id', noticeId)
  }

  /** Queues the delivery's job; BullMQ ignores a second one with the same id. */
  async dispatch(delivery: WebhookDelivery) {
    if (delivery.deliveredAt || delivery.failedAt) return
    await this.queue.dispatch(
      'deliver-webhook',
      { deliveryId: delivery.id },
      { jobId: deliveryJobId(delivery.id) }
    )
  }

  /** The account's latest deliveries, newest first. */
  log(user: User, limit = WEBHOOK_LOG_SIZE) {
    return WebhookDelivery.query()
      .where('user_id', user.id)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
  }

  /**
   * One attempt of a delivery (the `deliver-webhook` job): POST the signed body, log the
   * outcome on the row, and throw on anything but a 2xx so BullMQ retries with backoff.
   * Idempotent: a delivered, given-up or endpoint-less delivery is left as it is.
   */
  async attempt(
    deliveryId: number,
    context: Pick<JobContext, 'jobId' | 'attempt' | 'finalAttempt'>
  ) {
    const delivery = await WebhookDelivery.find(deliveryId)
    if (!delivery || delivery.deliveredAt || delivery.failedAt) return
    const endpoint = delivery.webhookId ? await BuyerWebhook.find(delivery.webhookId) : null
    if (!endpoint) {
      // Closed rather than left "queued" in the log the buyer may still read.
      delivery.merge({
        failedAt: DateTime.utc(),
        nextAttemptAt: null,
        lastError: 'The webhook was removed before this event was delivered.',
      })
      await delivery.save()
      logger.info(
        { deliveryId, jobId: context.jobId },
        'webhook delivery dropped: the endpoint was removed'
      )
      return
    }
    const body = JSON.stringify(delivery.payload)
    const timestamp = Math.floor(Date.now() / 1000)
    const started = DateTime.utc()
    const secret = this.secretOf(endpoint)
    let status: number | null = null
    let error: string | null = null
    try {
      // Sending unsigned would teach receivers to accept unsigned events: fail the attempt instead.
      if (!secret) throw new SecretUnreadable()
      status = await postEvent(
        endpoint.url,
        {
          'content-type': 'application/json',
          'user-agent': 'Athera-Webhooks/1',
          'athera-event-id': delivery.eventId,
          'athera-signature': signature(secret, timestamp, body),
        },
        body
      )
      if (status < 200 || status >= 300) error = `The endpoint answered HTTP ${status}.`
    } catch (failure) {
      error = describeFailure(failure)
    }

    const delivered = error === null
    delivery.merge({
      attempts: delivery.attempts + 1,
      lastStatus: status,
      lastError: error,
      lastAttemptAt: started,
      deliveredAt: delivered ? DateTime.utc() : null,
      failedAt: !delivered && context.finalAttempt ? DateTime.utc() : null,
      nextAttemptAt:
        delivered || context.finalAttempt
          ? null
          : DateTime.utc().plus({ milliseconds: retryDelayMs(context.attempt) }),
    })
    await delivery.save()
    const log = {
      deliveryId,
      eventId: delivery.eventId,
      jobId: context.jobId,
      attempt: context.attempt,
      status,
    }
    if (delivered) {
      logger.info(log, 'webhook delivered')
      return
    }
    logger.warn(
      { ...log, error, code: 'E_WEBHOOK_DELIVERY_FAILED' },
      context.finalAttempt ? 'webhook delivery given up' : 'webhook delivery failed; retrying'
    )
    throw new Error(`E_WEBHOOK_DELIVERY_FAILED: ${error}`)
  }

  async #createDelivery(
    endpoint: BuyerWebhook,
    type: WebhookEventType,
    noticeId: number | null,
    data: Record<string, unknown>
  ) {
    const eventId = randomUUID()
    return WebhookDelivery.create({
      userId: endpoint.userId,
      webhookId: endpoint.id,
      noticeId,
      eventId,
      eventType: type,
      payload: eventBody(eventId, type, DateTime.utc(), data),
      attempts: 0,
    })
  }

  #sealed(secret: string) {
    return encryption.encrypt(secret, undefined, SECRET_PURPOSE)
  }
}

/** The body every event has: `{ id, type, created, data }`. */
export function eventBody(
  id: string,
  type: WebhookEventType,
  created: DateTime,
  data: Record<string, unknown>
) {
  return { id, type, created: created.toISO(), data }
}

function newSecret() {
  return `whsec_${randomBytes(24).toString('base64url')}`
}
