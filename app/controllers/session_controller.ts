import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { homeFor } from '#services/navigation'
import { loginValidator } from '#validators/user'
import { AccountService } from '#services/account_service'

const LOGIN_ERRORS = {
  E_INVALID_CREDENTIALS: 'Incorrect e-mail or password.',
  E_ACCOUNT_SUSPENDED: 'Your account is suspended. Contact an administrator of this instance.',
} as const

@inject()
export default class SessionController {
  constructor(protected accounts: AccountService) {}

  async create({ view }: HttpContext) {
    return view.render('pages/auth/login')
  }

  async store({ request, auth, response, session }: HttpContext) {
    const { email, password, rememberMe } = await request.validateUsing(loginValidator)
    const result = await this.accounts.login(email, password)
    if (!result.ok) {
      session.flash('error', LOGIN_ERRORS[result.code])
      session.flashOnly(['email'])
      return response.redirect().back()
    }
    await auth.use('web').login(result.user, Boolean(rememberMe))
    return response.redirect(homeFor(result.user))
  }

  async destroy({ auth, response, session }: HttpContext) {
    await auth.use('web').logout()
    session.flash('success', 'You are logged out.')
    return response.redirect('/')
  }
}
