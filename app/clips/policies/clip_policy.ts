import type User from '#models/user'
import type Clip from '#models/clip'
import { AuthorizationResponse, BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Clips belong to their creator. Admins may open and retry any clip (they run the
 * pipeline), but "My clips" is a creator's workspace, not a list of everyone's clips.
 */
export default class ClipPolicy extends BasePolicy {
  viewList(user: User): AuthorizerResponse {
    return user.role === 'creator' && !user.isSuspended
  }

  view(user: User, clip: Clip): AuthorizerResponse {
    if (user.isSuspended) return false
    if (user.role === 'admin' || clip.userId === user.id) return true
    return AuthorizationResponse.deny('This clip belongs to another creator.')
  }

  /**
   * Ownership only: whether the clip's status allows a retry is the service's answer, so
   * the creator reads why ("this clip is approved") instead of a bare refusal.
   */
  retry(user: User, clip: Clip): AuthorizerResponse {
    if (user.isSuspended) return false
    if (user.role === 'admin' || clip.userId === user.id) return true
    return AuthorizationResponse.deny('Only the creator of this clip or an admin can retry it.')
  }
}
