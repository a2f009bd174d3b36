import type { HttpContext } from '@adonisjs/core/http'
import { homeFor } from '#app/accounts/navigation'

export default class DashboardController {
  /** `/dashboard` sends each person to their role's console. */
  async handle({ auth, response }: HttpContext) {
    return response.redirect(homeFor(auth.getUserOrFail()))
  }
}
