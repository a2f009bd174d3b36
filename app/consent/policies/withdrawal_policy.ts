import type User from '#models/user'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Only the creator who uploaded a clip withdraws consent for it. Admins reject clips;
 * they do not withdraw someone else's consent. The clip is looked up among the creator's own
 * (ConsentService.ownClip), so another creator's clip reads as not found.
 */
export default class WithdrawalPolicy extends BasePolicy {
  withdraw(user: User): AuthorizerResponse {
    return user.role === 'creator' && !user.isSuspended
  }
}
