import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import AdminPolicy from '#app/admin/policies/admin_policy'
import { UserAdminService } from '#app/admin/user_admin_service'
import { userAdminErrors } from '#app/admin/errors'

/** Suspending an account (store) and reactivating it (destroy). */
@inject()
export default class AdminUserSuspensionsController {
  constructor(protected users: UserAdminService) {}

  async store({ auth, bouncer, params, request, response, session }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const result = await this.users.suspend(
      auth.getUserOrFail(),
      Number(params.userId),
      request.ip()
    )
    if (!result.ok) session.flash('error', userAdminErrors.describe(result))
    else if (!result.changed) session.flash('info', `${result.user.email} is already suspended.`)
    else
      session.flash('success', `${result.user.email} is suspended: logged out, API tokens revoked.`)
    return response.redirect().back()
  }

  async destroy({ auth, bouncer, params, request, response, session }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const result = await this.users.reactivate(
      auth.getUserOrFail(),
      Number(params.userId),
      request.ip()
    )
    if (!result.ok) session.flash('error', userAdminErrors.describe(result))
    else if (!result.changed) session.flash('info', `${result.user.email} is not suspended.`)
    else session.flash('success', `${result.user.email} is active again.`)
    return response.redirect().back()
  }
}
