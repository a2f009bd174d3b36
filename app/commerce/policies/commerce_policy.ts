import type User from '#models/user'
import { AuthorizationResponse, BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Buying and licensing. Buyers (companies) buy and claim for themselves; creators and admins
 * do not buy. Admins grant licences to buyers.
 */
export default class CommercePolicy extends BasePolicy {
  buy(user: User): AuthorizerResponse {
    if (user.isSuspended) return false
    if (user.role === 'buyer') return true
    return AuthorizationResponse.deny(
      'Only buyer accounts can license datasets. Sign up as a buyer (a company) to buy one.'
    )
  }

  grant(user: User): AuthorizerResponse {
    if (user.isSuspended) return false
    if (user.role === 'admin') return true
    return AuthorizationResponse.deny('Only administrators can grant licences.')
  }

  /** Publishing licence texts: what every later buyer agrees to. */
  manageLicenceTexts(user: User): AuthorizerResponse {
    return user.role === 'admin' && !user.isSuspended
  }
}
