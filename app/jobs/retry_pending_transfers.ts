import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import type { JobContext, JobHandler } from '#jobs/registry'
import { CreatorTransfers } from '#app/commerce/public'

/**
 * Creators' shares left pending (Stripe refused or timed out at the sale) go out without
 * waiting for an event; each attempt reuses the transfer's idempotency key.
 */
@inject()
export default class RetryPendingTransfers implements JobHandler<'retry-pending-transfers'> {
  constructor(protected transfers: CreatorTransfers) {}

  async handle(_payload: Record<string, never>, context: JobContext) {
    const { tried, sent } = await this.transfers.retryPendingTransfers()
    if (tried) logger.info({ jobId: context.jobId, tried, sent }, 'retried pending transfers')
  }
}
