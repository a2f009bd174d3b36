import type User from '#models/user'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * What a person may do with their own account.
 */
export default class AccountPolicy extends BasePolicy {
  changePassword(user: User): AuthorizerResponse {
    return !user.isSuspended
  }

  manageSessions(user: User): AuthorizerResponse {
    return !user.isSuspended
  }
}
