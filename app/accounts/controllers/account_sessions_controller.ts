import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import AccountPolicy from '#app/accounts/policies/account_policy'
import { SessionRegistry } from '#app/accounts/session_registry'
import { sessionErrors } from '#app/accounts/errors'

/** The devices signed in to one's account: the list, signing one out, signing out all others. */
@inject()
export default class AccountSessionsController {
  constructor(protected sessions: SessionRegistry) {}

  async index({ bouncer, auth, session, view }: HttpContext) {
    await bouncer.with(AccountPolicy).authorize('manageSessions')
    const entries = await this.sessions.list(auth.getUserOrFail(), session.sessionId)
    return view.render('pages/account/sessions', { entries })
  }

  async destroy({ bouncer, auth, params, response, session }: HttpContext) {
    await bouncer.with(AccountPolicy).authorize('manageSessions')
    const revoked = await this.sessions.revoke(auth.getUserOrFail(), String(params.handle))
    session.flash(
      revoked ? 'success' : 'error',
      revoked ? 'That device is signed out.' : sessionErrors.sentence('E_SESSION_NOT_FOUND')
    )
    return response.redirect('/account/sessions')
  }

  /** Signs out every session but the one asking. */
  async clear({ bouncer, auth, response, session }: HttpContext) {
    await bouncer.with(AccountPolicy).authorize('manageSessions')
    const count = await this.sessions.revokeAll(auth.getUserOrFail().id, session.sessionId)
    session.flash(
      'success',
      count === 1 ? '1 other device is signed out.' : `${count} other devices are signed out.`
    )
    return response.redirect('/account/sessions')
  }
}
