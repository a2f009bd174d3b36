import { inject } from '@adonisjs/core'
import type { JobContext, JobHandler } from '#jobs/registry'
import { WithdrawalNoticeService } from '#app/notices/public'

/**
 * Tells every holder of a live licence that a withdrawal reached their version. Idempotent:
 * notices, deliveries and e-mails are each written once, so a retry does only what is left.
 */
@inject()
export default class NotifyWithdrawal implements JobHandler<'notify-withdrawal'> {
  constructor(protected notices: WithdrawalNoticeService) {}

  handle({ withdrawalRecordId }: { withdrawalRecordId: number }, context: JobContext) {
    return this.notices.notify(withdrawalRecordId, context)
  }
}
