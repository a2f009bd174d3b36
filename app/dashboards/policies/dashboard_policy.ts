import type User from '#models/user'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Each role has its own console. Admins see only the admin console: a dashboard is a
 * workspace, not a permission to act as another role.
 */
export default class DashboardPolicy extends BasePolicy {
  viewCreator(user: User): AuthorizerResponse {
    return user.role === 'creator' && !user.isSuspended
  }

  viewBuyer(user: User): AuthorizerResponse {
    return user.role === 'buyer' && !user.isSuspended
  }

  viewAdmin(user: User): AuthorizerResponse {
    return user.role === 'admin' && !user.isSuspended
  }
}
