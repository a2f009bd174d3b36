import type User from '#models/user'
import type Licence from '#models/licence'
import { AuthorizationResponse, BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * A licence is its buyer's. Admins may open any licence page (support: "what did this buyer
 * get, which clips were withdrawn since?") but never download under someone else's licence:
 * a download is a delivery to the licensee, logged as theirs.
 */
export default class LicencePolicy extends BasePolicy {
  viewList(user: User): AuthorizerResponse {
    return user.role === 'buyer' && !user.isSuspended
  }

  view(user: User, licence: Licence): AuthorizerResponse {
    if (user.isSuspended) return false
    if (licence.buyerId === user.id || user.role === 'admin') return true
    return AuthorizationResponse.deny('This licence belongs to another buyer.')
  }

  /** The buyer, while the licence is live. */
  download(user: User, licence: Licence): AuthorizerResponse {
    if (user.isSuspended) return false
    if (licence.buyerId !== user.id) {
      return AuthorizationResponse.deny('Only the holder of this licence can download its files.')
    }
    if (licence.revokedAt) {
      return AuthorizationResponse.deny(
        `This licence was revoked on ${licence.revokedAt.toFormat('d LLL yyyy')}: its files can no longer be downloaded.`
      )
    }
    return true
  }
}
