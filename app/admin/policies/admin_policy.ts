import type User from '#models/user'
import { AuthorizationResponse, BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * The admin consoles: every one is for an admin whose account is not suspended. One ability
 * per console keeps each refusal's sentence specific to what was refused. A suspended admin
 * gets a plain denial: the auth middleware has already logged them out.
 */
export default class AdminPolicy extends BasePolicy {
  /** Payouts, the ledger and the consent and legal log. */
  access(user: User): AuthorizerResponse {
    return activeAdmin(user, 'Only administrators can open this page or do this.')
  }

  /** The moderation queue shows creators' originals (raw footage) and decides what can be sold. */
  review(user: User): AuthorizerResponse {
    return activeAdmin(user, 'Only administrators review clips.')
  }

  /** Re-rendering a clip with a reviewer's extra blurred box replaces the video buyers get. */
  redact(user: User): AuthorizerResponse {
    return activeAdmin(user, 'Only administrators redact clips.')
  }

  manageUsers(user: User): AuthorizerResponse {
    return activeAdmin(user, 'Only administrators can manage accounts and invitations.')
  }

  manageSettings(user: User): AuthorizerResponse {
    return activeAdmin(user, 'Only administrators can change the instance settings.')
  }

  readAudit(user: User): AuthorizerResponse {
    return activeAdmin(user, 'Only administrators can read the audit log.')
  }
}

function activeAdmin(user: User, message: string): AuthorizerResponse {
  if (user.isSuspended) return false
  if (user.role === 'admin') return true
  return AuthorizationResponse.deny(message)
}
