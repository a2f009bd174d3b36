import type User from '#models/user'
import type { AccessToken } from '@adonisjs/auth/access_tokens'
import { AuthorizationResponse, BasePolicy, allowGuest } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type { ApiScope } from '#app/accounts/api_token_service'

/**
 * API tokens and the REST API v1. Tokens are for buyers only: the API serves the catalog a
 * buyer licenses from, their licences and their downloads; a creator's or an admin's work is
 * done in their consoles, and a token that outlived its owner's change of role stops working.
 * Denials carry a code (the translation identifier) that the API's error body repeats.
 */
export default class ApiTokenPolicy extends BasePolicy {
  /** The API's OpenAPI document, and the API's answer to unknown paths: public, like any reference. */
  @allowGuest()
  readReference(_user: User | null): AuthorizerResponse {
    return true
  }

  /** The token pages: list, create, revoke (each query is also scoped to the owner). */
  manage(user: User): AuthorizerResponse {
    if (user.isSuspended) return false
    if (user.role === 'buyer') return true
    return AuthorizationResponse.deny(
      'API tokens are for buyer accounts: they read the catalog and download licensed datasets, which only buyers hold.'
    )
  }

  /** One API request with the token it came with, which must carry `scope`. */
  use(user: User, scope: ApiScope): AuthorizerResponse {
    if (user.isSuspended) {
      return AuthorizationResponse.deny(
        'This account is suspended. Contact an administrator of this instance.'
      ).t('account_suspended')
    }
    if (user.role !== 'buyer') {
      return AuthorizationResponse.deny(
        'The API is for buyer accounts; this token belongs to another kind of account.'
      ).t('wrong_role')
    }
    const token = (user as User & { currentAccessToken?: AccessToken }).currentAccessToken
    if (!token || !token.abilities.includes(scope)) {
      return AuthorizationResponse.deny(
        `This token lacks the ${scope} scope. Create a token with it on your API tokens page.`
      ).t('insufficient_scope')
    }
    return true
  }
}
