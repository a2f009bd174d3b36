import type User from '#models/user'
import { BasePolicy } from '@adonisjs/bouncer'
import { AuthorizationResponse } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Only creators upload. Which uploads a creator may resume is decided by ownership in
 * UploadService.find (another creator's upload simply does not exist for them).
 */
export default class UploadPolicy extends BasePolicy {
  create(user: User): AuthorizerResponse {
    if (user.role !== 'creator' || user.isSuspended) {
      return AuthorizationResponse.deny('Only creators upload clips.', 403)
    }
    return true
  }
}
