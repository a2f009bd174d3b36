import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import DashboardPolicy from '#policies/dashboard_policy'
import { DashboardService } from '#services/dashboard_service'

@inject()
export default class CreatorDashboardController {
  constructor(protected dashboards: DashboardService) {}

  async show({ bouncer, auth, view }: HttpContext) {
    await bouncer.with(DashboardPolicy).authorize('viewCreator')
    const summary = await this.dashboards.creator(auth.getUserOrFail())
    return view.render('pages/dashboard/creator', { summary })
  }
}
