import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { homeFor } from '#app/accounts/navigation'
import { loginValidator } from '#app/accounts/validators'
import { AccountService } from '#app/accounts/account_service'
import { SessionRegistry } from '#app/accounts/session_registry'
import { credentialErrors } from '#app/accounts/errors'

@inject()
export default class SessionController {
  constructor(
    protected accounts: AccountService,
    protected sessions: SessionRegistry
  ) {}

  async create({ view }: HttpContext) {
    return view.render('pages/auth/login')
  }

  async store(ctx: HttpContext) {
    const { request, auth, response, session } = ctx
    const { email, password, rememberMe } = await request.validateUsing(loginValidator)
    const result = await this.accounts.login(email, password)
    if (!result.ok) {
      session.flash('error', credentialErrors.describe(result))
      session.flashOnly(['email'])
      return response.redirect().back()
    }
    await auth.use('web').login(result.user, Boolean(rememberMe))
    await this.sessions.started(ctx, result.user)
    return response.redirect(homeFor(result.user))
  }

  async destroy(ctx: HttpContext) {
    const { auth, response, session } = ctx
    if (auth.user) await this.sessions.ended(ctx, auth.user)
    await auth.use('web').logout()
    session.flash('success', 'You are logged out.')
    return response.redirect('/')
  }
}
