import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import AccountPolicy from '#app/accounts/policies/account_policy'
import { passwordChangeValidator } from '#app/accounts/validators'
import { AccountService } from '#app/accounts/account_service'
import { credentialErrors } from '#app/accounts/errors'

@inject()
export default class PasswordController {
  constructor(protected accounts: AccountService) {}

  async edit({ bouncer, view }: HttpContext) {
    await bouncer.with(AccountPolicy).authorize('changePassword')
    return view.render('pages/account/password')
  }

  async update({ bouncer, request, auth, response, session }: HttpContext) {
    await bouncer.with(AccountPolicy).authorize('changePassword')
    const { currentPassword, password } = await request.validateUsing(passwordChangeValidator)
    const changed = await this.accounts.changePassword(
      auth.getUserOrFail(),
      currentPassword,
      password,
      session.sessionId
    )
    if (!changed) {
      // Shown under the field, like a validation error.
      session.flash('inputErrorsBag', {
        currentPassword: [credentialErrors.sentence('E_WRONG_PASSWORD')],
      })
      return response.redirect().back()
    }
    session.flash('success', 'Your password is changed. Every other device is signed out.')
    return response.redirect().back()
  }
}
