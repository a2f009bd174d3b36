import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AdminPolicy } from '#app/admin/public'
import { AdminPayoutsService, TRANSFER_VIEWS } from '#app/commerce/admin_payouts_service'

/** Creators' balances and the transfers to their connected accounts. */
@inject()
export default class AdminPayoutsController {
  constructor(protected payouts: AdminPayoutsService) {}

  async index({ bouncer, request, view }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('access')
    const parsed = this.payouts.parseTransferFilters(request.qs())
    const balances = await this.payouts.balances(parsed.creator)
    const page = await this.payouts.transfers(parsed, request.input('after'))
    const base = this.payouts.queryString(parsed.filters)
    return view.render('pages/admin/payouts/index', {
      balances,
      ...page,
      filters: parsed.filters,
      errors: parsed.errors,
      statuses: TRANSFER_VIEWS,
      firstUrl: `/admin/payouts${base ? `?${base}` : ''}`,
      nextUrl: page.next
        ? `/admin/payouts?${this.payouts.queryString(parsed.filters, page.next)}`
        : null,
    })
  }
}
