import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import DashboardPolicy from '#app/dashboards/policies/dashboard_policy'
import { DashboardService } from '#app/dashboards/dashboard_service'
import { UploadSweepService } from '#app/uploads/public'

@inject()
export default class AdminDashboardController {
  constructor(
    protected dashboards: DashboardService,
    protected sweeper: UploadSweepService
  ) {}

  async show({ bouncer, view }: HttpContext) {
    await bouncer.with(DashboardPolicy).authorize('viewAdmin')
    const summary = await this.dashboards.admin()
    const sweeps = await this.sweeper.summary()
    return view.render('pages/dashboard/admin', { summary, sweeps })
  }
}
