/**
 * What the rest of app/ may use from notices/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to notices/.
 */
export { WithdrawalNoticeService } from './withdrawal_notice_service.js'
