import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { firstRunValidator, AccountService } from '#app/accounts/public'
import { SetupTokenService } from '#app/instance/setup_token_service'

/**
 * First run: while the instance has no administrator, whoever holds the setup token printed in
 * the server log (`docker compose logs app | grep setup`) creates the first one. Afterwards the
 * page is gone.
 */
@inject()
export default class SetupController {
  constructor(
    protected accounts: AccountService,
    protected setupTokens: SetupTokenService
  ) {}

  async create({ view, response }: HttpContext) {
    if (!(await this.accounts.needsFirstAdmin())) return response.notFound()
    return view.render('pages/setup')
  }

  async store({ request, auth, response, session }: HttpContext) {
    if (!(await this.accounts.needsFirstAdmin())) return response.notFound()
    const { setupToken, ...data } = await request.validateUsing(firstRunValidator)
    if (!(await this.setupTokens.verify(setupToken))) {
      session.flashExcept(['password', 'passwordConfirmation', 'setupToken'])
      session.flash('inputErrorsBag', {
        setupToken: [
          'This is not the setup token. Find the current one with: docker compose logs app | grep setup',
        ],
      })
      return response.redirect('/setup')
    }
    const admin = await this.accounts.createFirstAdmin(data)
    if (!admin) return response.notFound()
    await this.setupTokens.spend()
    await auth.use('web').login(admin)
    session.flash('success', 'Your instance is ready. You are its administrator.')
    return response.redirect('/admin')
  }
}
