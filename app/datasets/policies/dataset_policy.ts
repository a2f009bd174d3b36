import type User from '#models/user'
import type Dataset from '#models/dataset'
import { AuthorizationResponse, BasePolicy, allowGuest } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Datasets: creators group their own approved clips, admins curate from anyone's. The catalog
 * and dataset pages are public (published datasets only: the service answers 404 for the rest).
 */
export default class DatasetPolicy extends BasePolicy {
  @allowGuest()
  browse(_user: User | null): AuthorizerResponse {
    return true
  }

  /** "My datasets" and creating one. */
  manage(user: User): AuthorizerResponse {
    if (user.isSuspended) return false
    if (user.role === 'creator' || user.role === 'admin') return true
    return AuthorizationResponse.deny('Only creators and admins put datasets together.')
  }

  edit(user: User, dataset: Dataset): AuthorizerResponse {
    if (user.isSuspended) return false
    if (user.role === 'admin' || (user.role === 'creator' && dataset.ownerId === user.id))
      return true
    return AuthorizationResponse.deny('This dataset belongs to another creator.')
  }
}
