import { inject } from '@adonisjs/core'
import type { JobContext, JobHandler } from '#jobs/registry'
import { RedactionWorkService } from '#app/moderation/public'

@inject()
export default class RenderRedaction implements JobHandler<'render-redaction'> {
  constructor(protected work: RedactionWorkService) {}

  handle(payload: { redactionId: number }, context: JobContext) {
    return this.work.render(payload.redactionId, context)
  }
}
