import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import app from '@adonisjs/core/services/app'
import type User from '#models/user'
import type Licence from '#models/licence'
import WithdrawalNotice from '#models/withdrawal_notice'
import type { JobContext } from '#jobs/registry'
import NotifyWithdrawal from '#jobs/notify_withdrawal'
import DeliverWebhook from '#jobs/deliver_webhook'
import { ConsentService } from '#app/consent/consent_service'
import { QueueService } from '#app/core/queue_service'
import { WebhookService } from '#app/webhooks/webhook_service'
import { webhookUrlErrors } from '#app/webhooks/errors'
import { makeUser } from '#tests/helpers/users'
import { licenceFor, publishedVersion } from '#tests/helpers/exports'

/** What a job handler receives, for running one directly (no worker, no waiting). */
export function jobContext(attempt = 1, finalAttempt = false): JobContext {
  return { jobId: `test-${attempt}`, attempt, finalAttempt, reportProgress: async () => {} }
}

/**
 * A published version (format 1 manifest, rows only) licensed to a buyer, whose first clip's
 * creator then withdraws consent through ConsentService. The notify job is queued, not run.
 */
export async function withdrawnLicensedClip(options: { buyer?: User } = {}) {
  const creator = await makeUser('creator')
  const published = await publishedVersion({ clips: 2, creator, store: false })
  const buyer = options.buyer ?? (await makeUser('buyer', { companyName: 'Pose Labs GmbH' }))
  const licence = await licenceFor(buyer, published.version)
  const clip = published.clips[0]
  const consent = await app.container.make(ConsentService)
  const { record } = await consent.withdraw(creator, clip.id, {
    ip: '127.0.0.1',
    userAgent: 'test',
    reason: null,
  })
  await forgetJobs(record.id, clip.id)
  return { creator, buyer, licence, clip, published, record }
}

/** Runs the notify job's handler for a withdrawal record, as the worker would. */
export async function runNotify(withdrawalRecordId: number, context = jobContext()) {
  const handler = await app.container.make(NotifyWithdrawal)
  await handler.handle({ withdrawalRecordId }, context)
  return WithdrawalNotice.query().where('withdrawal_record_id', withdrawalRecordId).orderBy('id')
}

/** Runs one attempt of a webhook delivery. */
export async function runDelivery(deliveryId: number, context = jobContext()) {
  const handler = await app.container.make(DeliverWebhook)
  return handler.handle({ deliveryId }, context)
}

/** The notice of a licence (there is one in these tests). */
export function noticeOf(licence: Licence) {
  return WithdrawalNotice.query().where('licence_id', licence.id).firstOrFail()
}

/** Removes the jobs a withdrawal queued, so Redis keeps nothing from a rolled-back test. */
export async function forgetJobs(withdrawalRecordId: number, clipId: string) {
  const queue = await app.container.make(QueueService)
  await queue.queue('notify-withdrawal').remove(`notify-withdrawal-${withdrawalRecordId}`)
  await queue.queue('purge-withdrawn-clip').remove(`purge-withdrawn-clip-${clipId}`)
}

export interface Received {
  headers: IncomingHttpHeaders
  body: string
}

/**
 * A webhook receiver on 127.0.0.1 (ephemeral port): answers each request with the next status
 * of `statuses` (the last one repeats) and keeps what it got. Close it after the test.
 */
export async function webhookReceiver(statuses: number[] = [200]) {
  const received: Received[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') })
      response.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)]
      response.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/athera/events`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** The README's verification, word for word: the receiver's side of Athera-Signature. */
export function verifySignature(
  secret: string,
  header: string,
  rawBody: string,
  toleranceSeconds = 300
) {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2)))
  const timestamp = Number(parts.t)
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds)
    return false
  const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')
  const given = String(parts.v1 ?? '')
  return (
    given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))
  )
}

/** A buyer whose account has a webhook endpoint at `url`, and its signing secret. */
export async function buyerWithWebhook(url: string) {
  const buyer = await makeUser('buyer')
  const webhooks = await app.container.make(WebhookService)
  const saved = await webhooks.save(buyer, url)
  if (!saved.ok) throw new Error(webhookUrlErrors.describe(saved))
  return { buyer, endpoint: saved.value.endpoint, secret: webhooks.secretOf(saved.value.endpoint)! }
}
