/**
 * What the rest of app/ may use from accounts/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to accounts/.
 */
export { AccountService } from './account_service.js'
export { API_SCOPES, type ApiScope, ApiTokenService } from './api_token_service.js'
export { default as ApiTokenPolicy } from './policies/api_token_policy.js'
export { SessionRegistry } from './session_registry.js'
export { companyName, email, firstRunValidator, fullName, newPassword } from './validators.js'
