import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import type { JobContext, JobHandler } from '#jobs/registry'
import { RawRetentionService } from '#app/uploads/public'

/** Originals kept longer than the instance's raw-upload retention are deleted (0 keeps them). */
@inject()
export default class PurgeExpiredOriginals implements JobHandler<'purge-expired-originals'> {
  constructor(protected retention: RawRetentionService) {}

  async handle(_payload: Record<string, never>, context: JobContext) {
    const purged = await this.retention.purgeExpired()
    logger.info({ jobId: context.jobId, purged }, 'purged originals past retention')
  }
}
