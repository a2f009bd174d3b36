import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { homeFor } from '#app/accounts/navigation'
import { signupValidator } from '#app/accounts/validators'
import { AccountService } from '#app/accounts/account_service'
import { SettingsStore } from '#app/core/settings_store'

@inject()
export default class SignupController {
  constructor(
    protected accounts: AccountService,
    protected settings: SettingsStore
  ) {}

  async create({ view, response }: HttpContext) {
    if ((await this.settings.get('registration')) !== 'open') {
      return response.status(403).send(await view.render('pages/auth/registration_closed'))
    }
    return view.render('pages/auth/signup')
  }

  async store({ request, auth, response, session, view }: HttpContext) {
    if ((await this.settings.get('registration')) !== 'open') {
      return response.status(403).send(await view.render('pages/auth/registration_closed'))
    }
    const data = await request.validateUsing(signupValidator)
    const user = await this.accounts.register(data)
    await auth.use('web').login(user)
    session.flash('success', `Welcome to Athera, ${user.fullName}.`)
    // Straight to the role's page: a hop through /dashboard would spend the flash message.
    return response.redirect(homeFor(user))
  }
}
