import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { Exception } from '@adonisjs/core/exceptions'
import { AdminPolicy } from '#app/admin/public'
import { AdminPayoutsService, type RefundResult } from '#app/commerce/admin_payouts_service'
import { refundRequestValidator } from '#app/commerce/validators'

function refusalMessage(result: Exclude<RefundResult, { ok: true }>) {
  switch (result.code) {
    case 'E_NOT_FOUND':
      return 'This order does not exist.'
    case 'E_PAYMENTS_NOT_CONFIGURED':
      return 'Payments are not configured on this instance (no Stripe keys), so refunds cannot be requested. Revoke the licence from its page instead.'
    case 'E_NOT_REFUNDABLE':
      return `This order is ${result.status}; only a paid order can be refunded.`
    case 'E_NO_PAYMENT':
      return 'This order has no Stripe payment on record, so there is nothing to refund at Stripe.'
    case 'E_STRIPE':
      return result.message
  }
}

/** An admin asks Stripe to refund a paid order; the `charge.refunded` webhook does the rest. */
@inject()
export default class AdminRefundsController {
  constructor(protected payouts: AdminPayoutsService) {}

  async store({ bouncer, auth, params, request, response, session }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('access')
    const { reason } = await request.validateUsing(refundRequestValidator)
    const result = await this.payouts.requestRefund(auth.getUserOrFail(), params.orderId, reason, request.ip())
    if (!result.ok && result.code === 'E_NOT_FOUND') throw new Exception(refusalMessage(result), { status: 404, code: result.code })
    if (result.ok) {
      session.flash('success', `Stripe accepted the refund (${result.refundId}). The order, licence and ledger change when Stripe confirms it.`)
    } else {
      session.flash('error', refusalMessage(result))
    }
    return response.redirect(`/admin/ledger?order=${params.orderId}`)
  }
}
