import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import type { JobContext, JobHandler } from '#jobs/registry'
import { UploadSweepService } from '#app/uploads/public'

/** Stuck clips queued again; staged files and originals nothing references removed. */
@inject()
export default class SweepUploads implements JobHandler<'sweep-uploads'> {
  constructor(protected sweeper: UploadSweepService) {}

  async handle(_payload: Record<string, never>, context: JobContext) {
    const result = await this.sweeper.run()
    logger.info({ jobId: context.jobId, ...result }, 'upload sweep done')
  }
}
