import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import type { JobContext, JobHandler } from '#jobs/registry'
import { UploadService } from '#app/uploads/public'

/** Abandoned uploads stop counting against quotas and free their staging space. */
@inject()
export default class PurgeStaleUploads implements JobHandler<'purge-stale-uploads'> {
  constructor(protected uploads: UploadService) {}

  async handle(_payload: Record<string, never>, context: JobContext) {
    const purged = await this.uploads.purgeExpired()
    logger.info({ jobId: context.jobId, purged }, 'purged stale uploads')
  }
}
