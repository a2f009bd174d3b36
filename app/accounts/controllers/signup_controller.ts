import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { accountErrors } from '#app/accounts/errors'
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

  async create({ view }: HttpContext) {
    await this.refuseUnlessOpen()
    return view.render('pages/auth/signup')
  }

  async store({ request, auth, response, session }: HttpContext) {
    await this.refuseUnlessOpen()
    const data = await request.validateUsing(signupValidator)
    const user = await this.accounts.register(data)
    await auth.use('web').login(user)
    session.flash('success', `Welcome to Athera, ${user.fullName}.`)
    // Straight to the role's page: a hop through /dashboard would spend the flash message.
    return response.redirect(homeFor(user))
  }

  /** Invite-only instances refuse signing up on one's own (403, with its page). */
  protected async refuseUnlessOpen() {
    if ((await this.settings.get('registration')) === 'open') return
    throw accountErrors.raise('E_REGISTRATION_CLOSED', {
      instance: await this.settings.get('instance_name'),
    })
  }
}
