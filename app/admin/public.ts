/**
 * What the rest of app/ may use from admin/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to admin/.
 */
export { invitationSignupErrors } from './errors.js'
export { InvitationService } from './invitation_service.js'
export { default as AdminPolicy } from './policies/admin_policy.js'
export { invitationSignupValidator } from './validators.js'
