import type { HttpContext } from '@adonisjs/core/http'

const HOMES = { creator: '/creator', buyer: '/buyer', admin: '/admin' } as const

export default class DashboardController {
  /** `/dashboard` sends each person to their role's console. */
  async handle({ auth, response }: HttpContext) {
    const user = auth.getUserOrFail()
    return response.redirect(HOMES[user.role])
  }
}
