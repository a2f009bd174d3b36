import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AccountService } from '#app/accounts/public'

@inject()
export default class HomeController {
  constructor(protected accounts: AccountService) {}

  /** The landing page: what this instance is, and the way in for each kind of visitor. */
  async show({ view }: HttpContext) {
    return view.render('pages/home', { needsSetup: await this.accounts.needsFirstAdmin() })
  }
}
