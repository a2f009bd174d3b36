import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import DashboardPolicy from '#policies/dashboard_policy'
import { DashboardService } from '#services/dashboard_service'

@inject()
export default class BuyerDashboardController {
  constructor(protected dashboards: DashboardService) {}

  async show({ bouncer, auth, view }: HttpContext) {
    await bouncer.with(DashboardPolicy).authorize('viewBuyer')
    const summary = await this.dashboards.buyer(auth.getUserOrFail())
    return view.render('pages/dashboard/buyer', { summary })
  }
}
