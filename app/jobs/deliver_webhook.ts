import { inject } from '@adonisjs/core'
import type { JobContext, JobHandler } from '#jobs/registry'
import { WebhookService } from '#app/webhooks/public'

/**
 * One attempt at POSTing a signed event to a buyer's endpoint; a failure throws, and BullMQ
 * retries with exponential backoff (registry: deliver-webhook). A delivered event is not sent again.
 */
@inject()
export default class DeliverWebhook implements JobHandler<'deliver-webhook'> {
  constructor(protected webhooks: WebhookService) {}

  handle({ deliveryId }: { deliveryId: number }, context: JobContext) {
    return this.webhooks.attempt(deliveryId, context)
  }
}
