import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import AdminPolicy from '#app/admin/policies/admin_policy'
import { invitationValidator } from '#app/admin/validators'
import { InvitationService } from '#app/admin/invitation_service'
import { invitationErrors } from '#app/admin/errors'

/** Inviting someone (the link is shown once) and revoking an invitation not yet used. */
@inject()
export default class AdminInvitationsController {
  constructor(protected invitations: InvitationService) {}

  async store({ auth, bouncer, request, response, session }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const input = await request.validateUsing(invitationValidator)
    const result = await this.invitations.create(auth.getUserOrFail(), input, request.ip())
    if (!result.ok) {
      session.flashAll()
      session.flash('error', invitationErrors.describe(result))
      return response.redirect('/admin/users')
    }
    // The link exists in clear only here: the page shows it once, the database keeps its hash.
    session.flash('invitationLink', result.link)
    session.flash(
      'success',
      result.mailed
        ? `Invitation sent to ${input.email}.`
        : `Invitation created for ${input.email}: copy the link below and send it.`
    )
    return response.redirect('/admin/users')
  }

  async destroy({ auth, bouncer, params, request, response, session }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const result = await this.invitations.revoke(
      auth.getUserOrFail(),
      Number(params.invitationId),
      request.ip()
    )
    if (!result.ok) session.flash('error', invitationErrors.describe(result))
    else
      session.flash(
        'success',
        `The invitation of ${result.invitation.email} is revoked: its link no longer works.`
      )
    return response.redirect('/admin/users')
  }
}
