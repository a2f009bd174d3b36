import type User from '#models/user'
import type Order from '#models/order'
import { AuthorizationResponse, BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * An order's receipt is its buyer's. Admins may open any (support and bookkeeping), as they
 * may open any licence page.
 */
export default class OrderPolicy extends BasePolicy {
  viewReceipt(user: User, order: Order): AuthorizerResponse {
    if (user.isSuspended) return false
    if (order.buyerId === user.id || user.role === 'admin') return true
    return AuthorizationResponse.deny('This receipt belongs to another buyer.')
  }
}
