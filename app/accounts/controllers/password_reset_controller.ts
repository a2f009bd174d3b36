import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { accountErrors } from '#app/accounts/errors'
import { forgotPasswordValidator, resetPasswordValidator } from '#app/accounts/validators'
import { PasswordResetService } from '#app/accounts/password_reset_service'

@inject()
export default class PasswordResetController {
  constructor(protected resets: PasswordResetService) {}

  async create({ view }: HttpContext) {
    return view.render('pages/auth/forgot_password', { mailEnabled: this.resets.mailEnabled })
  }

  /** Same answer whether or not the address has an account: no account enumeration. */
  async store({ request, response, session }: HttpContext) {
    const { email } = await request.validateUsing(forgotPasswordValidator)
    await this.resets.request(email)
    session.flash(
      'success',
      'If an account uses this address, a reset link is on its way. It works for one hour.'
    )
    return response.redirect().back()
  }

  async edit({ params, view }: HttpContext) {
    if (!(await this.resets.isValid(params.token)))
      throw accountErrors.raise('E_RESET_TOKEN_INVALID')
    return view.render('pages/auth/reset_password', { token: params.token })
  }

  async update({ params, request, response, session }: HttpContext) {
    const { password } = await request.validateUsing(resetPasswordValidator)
    const result = await this.resets.reset(params.token, password)
    if (!result.ok) throw accountErrors.raise('E_RESET_TOKEN_INVALID')
    session.flash('success', 'Your password is changed. Log in with the new one.')
    return response.redirect('/login')
  }
}
