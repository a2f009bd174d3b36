import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import DashboardPolicy from '#app/dashboards/policies/dashboard_policy'
import { CreatorDashboardService } from '#app/dashboards/creator_dashboard_service'

/** The creator's console: earnings, Stripe Connect onboarding, payouts and the clip library. */
@inject()
export default class CreatorDashboardController {
  constructor(protected dashboard: CreatorDashboardService) {}

  async show({ bouncer, auth, view }: HttpContext) {
    await bouncer.with(DashboardPolicy).authorize('viewCreator')
    return view.render(
      'pages/dashboard/creator',
      await this.dashboard.forCreator(auth.getUserOrFail())
    )
  }
}
