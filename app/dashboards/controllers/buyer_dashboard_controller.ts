import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import DashboardPolicy from '#app/dashboards/policies/dashboard_policy'
import { OrderPolicy } from '#app/commerce/public'
import { DashboardService } from '#app/dashboards/dashboard_service'
import { BuyerDashboardService } from '#app/dashboards/buyer_dashboard_service'

@inject()
export default class BuyerDashboardController {
  constructor(
    protected dashboards: DashboardService,
    protected buyers: BuyerDashboardService
  ) {}

  /** Headline figures, licence history with receipts, recent downloads, API tokens. */
  async show({ bouncer, auth, view }: HttpContext) {
    await bouncer.with(DashboardPolicy).authorize('viewBuyer')
    const user = auth.getUserOrFail()
    const summary = await this.dashboards.buyer(user)
    const overview = await this.buyers.overview(user)
    return view.render('pages/dashboard/buyer', { summary, ...overview })
  }

  /** A paid order's receipt, laid out to print. */
  async receipt({ bouncer, params, view }: HttpContext) {
    const order = await this.buyers.findReceiptOrder(params.orderId)
    await bouncer.with(OrderPolicy).authorize('viewReceipt', order)
    const receipt = await this.buyers.receipt(order)
    return view.render('pages/receipts/show', { receipt })
  }
}
