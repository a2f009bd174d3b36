import type User from '#models/user'
import { AuthorizationResponse, BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/** A webhook endpoint belongs to a buyer account: it tells their systems about their licences. */
export default class WebhookPolicy extends BasePolicy {
  manage(user: User): AuthorizerResponse {
    if (user.isSuspended) return false
    if (user.role === 'buyer') return true
    return AuthorizationResponse.deny(
      'Webhooks are for buyer accounts: they tell your systems when a clip you licensed is withdrawn.'
    )
  }
}
