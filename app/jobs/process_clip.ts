import { inject } from '@adonisjs/core'
import type { JobContext, JobHandler } from '#jobs/registry'
import { ClipProcessingService } from '#app/processing/public'

@inject()
export default class ProcessClip implements JobHandler<'process-clip'> {
  constructor(protected processing: ClipProcessingService) {}

  handle(payload: { clipId: string }, context: JobContext) {
    return this.processing.process(payload.clipId, context)
  }
}
