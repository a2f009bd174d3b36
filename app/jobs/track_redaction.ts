import { inject } from '@adonisjs/core'
import type { JobContext, JobHandler } from '#jobs/registry'
import { RedactionWorkService } from '#app/moderation/public'

@inject()
export default class TrackRedaction implements JobHandler<'track-redaction'> {
  constructor(protected work: RedactionWorkService) {}

  handle(payload: { redactionId: number }, context: JobContext) {
    return this.work.track(payload.redactionId, context)
  }
}
