import type User from '#models/user'
import type Licence from '#models/licence'
import { AuthorizationResponse, BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Confirming that a withdrawn clip's files are deleted is the licensee's statement: only the
 * licence's buyer makes it, revoked licence or not (the copies they hold still must go). Admins
 * see the confirmations; they never confirm for a buyer.
 */
export default class WithdrawalNoticePolicy extends BasePolicy {
  acknowledge(user: User, licence: Licence): AuthorizerResponse {
    if (user.isSuspended) return false
    if (licence.buyerId === user.id) return true
    return AuthorizationResponse.deny(
      'Only the holder of this licence can confirm that its withdrawn files are deleted.'
    )
  }
}
