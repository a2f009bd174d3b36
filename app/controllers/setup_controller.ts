import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { adminSetupValidator } from '#validators/user'
import { AccountService } from '#services/account_service'

/**
 * First run: while the instance has no administrator, anyone who reaches it can create
 * the first one (the person who just ran `docker compose up`). Afterwards the page is gone.
 */
@inject()
export default class SetupController {
  constructor(protected accounts: AccountService) {}

  async create({ view, response }: HttpContext) {
    if (!(await this.accounts.needsFirstAdmin())) return response.notFound()
    return view.render('pages/setup')
  }

  async store({ request, auth, response, session }: HttpContext) {
    if (!(await this.accounts.needsFirstAdmin())) return response.notFound()
    const data = await request.validateUsing(adminSetupValidator)
    const admin = await this.accounts.createFirstAdmin(data)
    if (!admin) return response.notFound()
    await auth.use('web').login(admin)
    session.flash('success', 'Your instance is ready. You are its administrator.')
    return response.redirect('/admin')
  }
}
