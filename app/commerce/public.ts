/**
 * What the rest of app/ may use from commerce/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to commerce/.
 */
export { escapeLike } from './admin_ledger_service.js'
export { ConnectService } from './connect_service.js'
export { EarningsService } from './earnings_service.js'
export { default as CommercePolicy } from './policies/commerce_policy.js'
export { default as OrderPolicy } from './policies/order_policy.js'
export { CreatorTransfers } from './creator_transfers.js'
