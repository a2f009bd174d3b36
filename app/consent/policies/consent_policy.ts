import type User from '#models/user'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Consent is given by creators, for their own uploads; the texts and the legal log belong to
 * admins. Buyers have nothing here. Which record a creator may read is decided when it is
 * loaded (ConsentReceipts.readableRecord): someone else's reads as not found.
 */
export default class ConsentPolicy extends BasePolicy {
  give(user: User): AuthorizerResponse {
    return user.role === 'creator' && !user.isSuspended
  }

  list(user: User): AuthorizerResponse {
    return user.role === 'creator' && !user.isSuspended
  }

  /** Receipts: a creator reads their own, an admin any (the consent log). */
  viewReceipts(user: User): AuthorizerResponse {
    return (user.role === 'creator' || user.role === 'admin') && !user.isSuspended
  }

  manageTexts(user: User): AuthorizerResponse {
    return user.role === 'admin' && !user.isSuspended
  }

  viewWithdrawals(user: User): AuthorizerResponse {
    return user.role === 'admin' && !user.isSuspended
  }
}
