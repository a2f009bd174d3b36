import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import AdminPolicy from '#app/admin/policies/admin_policy'
import { USER_ROLES } from '#models/user'
import { roleChangeValidator, userFiltersValidator, USER_STATUSES } from '#app/admin/validators'
import { InvitationService } from '#app/admin/invitation_service'
import { UserAdminService } from '#app/admin/user_admin_service'
import { userAdminErrors } from '#app/admin/errors'
import { INVITATION_ROLES } from '#models/invitation'

/** The accounts of the instance: the filtered list (with invitations) and role changes. */
@inject()
export default class AdminUsersController {
  constructor(
    protected users: UserAdminService,
    protected invitations: InvitationService
  ) {}

  async index({ bouncer, request, response, view }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const [error, filters] = await userFiltersValidator.tryValidate(request.qs())
    const filterErrors = error
      ? error.messages.map((message: { message: string }) => message.message)
      : []
    const page = filters ? await this.users.list(filters) : null
    if (page)
      page
        .baseUrl('/admin/users')
        .queryString({ q: filters?.q, role: filters?.role, status: filters?.status })
    const html = await view.render('pages/admin/users/index', {
      page,
      filters: filters ?? request.qs(),
      filterErrors,
      roles: USER_ROLES,
      statuses: USER_STATUSES,
      invitationRoles: INVITATION_ROLES,
      invitations: await this.invitations.recent(),
      mailEnabled: this.invitations.mailEnabled,
    })
    return response.status(error ? 422 : 200).send(html)
  }

  /** Changes an account's role (creator, buyer, admin). */
  async update({ auth, bouncer, params, request, response, session }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const { role } = await request.validateUsing(roleChangeValidator)
    const result = await this.users.changeRole(
      auth.getUserOrFail(),
      Number(params.userId),
      role,
      request.ip()
    )
    if (!result.ok) session.flash('error', userAdminErrors.describe(result))
    else if (!result.changed)
      session.flash(
        'info',
        `${result.user.email} is already ${role === 'admin' ? 'an' : 'a'} ${role}.`
      )
    else
      session.flash(
        'success',
        `${result.user.email} is now ${role === 'admin' ? 'an' : 'a'} ${role}.`
      )
    return response.redirect().back()
  }
}
