import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AdminPolicy } from '#app/admin/public'
import { AdminPayoutsService } from '#app/commerce/admin_payouts_service'
import { refundRequestValidator } from '#app/commerce/validators'
import { refundErrors } from '#app/commerce/errors'

/** An admin asks Stripe to refund a paid order; the `charge.refunded` webhook does the rest. */
@inject()
export default class AdminRefundsController {
  constructor(protected payouts: AdminPayoutsService) {}

  async store({ bouncer, auth, params, request, response, session }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('access')
    const { reason } = await request.validateUsing(refundRequestValidator)
    const result = await this.payouts.requestRefund(
      auth.getUserOrFail(),
      params.orderId,
      reason,
      request.ip()
    )
    if (!result.ok && result.code === 'E_NOT_FOUND') throw refundErrors.raise('E_NOT_FOUND')
    if (result.ok) {
      session.flash(
        'success',
        `Stripe accepted the refund (${result.refundId}). The order, licence and ledger change when Stripe confirms it.`
      )
    } else {
      session.flash('error', refundErrors.describe(result))
    }
    return response.redirect(`/admin/ledger?order=${params.orderId}`)
  }
}
