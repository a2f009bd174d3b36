import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { accountErrors } from '#app/accounts/errors'
import { homeFor } from '#app/accounts/navigation'
import {
  invitationSignupErrors,
  invitationSignupValidator,
  InvitationService,
} from '#app/admin/public'

/**
 * Signing up through an invitation link: works whether registration is open or invite-only;
 * the e-mail and role are the invitation's.
 */
@inject()
export default class InvitationSignupsController {
  constructor(protected invitations: InvitationService) {}

  async create({ params, view }: HttpContext) {
    const invitation = await this.invitations.usable(params.token)
    if (!invitation) throw accountErrors.raise('E_INVITATION_INVALID')
    return view.render('pages/invitations/create', { invitation, token: params.token })
  }

  async store({ auth, params, request, response, session }: HttpContext) {
    const invitation = await this.invitations.usable(params.token)
    if (!invitation) throw accountErrors.raise('E_INVITATION_INVALID')
    const data = await request.validateUsing(invitationSignupValidator, {
      meta: { role: invitation.role },
    })
    const result = await this.invitations.accept(params.token, data, request.ip())
    if (!result.ok) {
      if (result.code === 'E_INVITATION_INVALID') throw accountErrors.raise('E_INVITATION_INVALID')
      session.flash('error', invitationSignupErrors.describe(result))
      return response.redirect('/login')
    }
    await auth.use('web').login(result.user)
    session.flash('success', `Welcome, ${result.user.fullName}.`)
    return response.redirect(homeFor(result.user))
  }
}
