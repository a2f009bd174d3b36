import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { Exception } from '@adonisjs/core/exceptions'
import { AdminPolicy } from '#app/admin/public'
import { AdminPayoutsService, type RetryResult } from '#app/commerce/admin_payouts_service'

/** The sentence the admin reads for each refusal; the code goes to the log. */
function refusalMessage(result: Exclude<RetryResult, { ok: true }>) {
  switch (result.code) {
    case 'E_NOT_FOUND':
      return 'This transfer does not exist.'
    case 'E_PAYMENTS_NOT_CONFIGURED':
      return 'Payments are not configured on this instance (no Stripe keys), so no transfer can be sent.'
    case 'E_NOT_RETRYABLE':
      return result.status === 'failed'
        ? `This transfer was cancelled${result.reason ? `: ${result.reason}` : '.'} There is nothing to send.`
        : `This transfer is already ${result.status}; only a pending or refused transfer can be sent again.`
    case 'E_ORDER_NOT_PAID':
      return `The order is ${result.orderStatus}, not paid, so its share cannot be sent.`
    case 'E_ACCOUNT_NOT_READY':
      return `${result.creator}'s Stripe account is ${result.connectStatus === 'none' ? 'not connected' : 'not ready yet'}. The transfer goes out by itself once Stripe reports the account ready.`
    case 'E_STRIPE_REFUSED':
      return `Stripe refused the transfer again: ${result.message} It stays pending.`
    case 'E_UNCHANGED':
      return 'This transfer changed while you were looking at it (another request sent it). Nothing more was done.'
  }
}

/** An admin sends a pending or refused transfer again (audited as transfer.retried). */
@inject()
export default class AdminTransfersController {
  constructor(protected payouts: AdminPayoutsService) {}

  async retry({ bouncer, auth, params, request, response, session }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('access')
    const result = await this.payouts.retryTransfer(auth.getUserOrFail(), Number(params.transferId), request.ip())
    if (!result.ok && result.code === 'E_NOT_FOUND') throw new Exception(refusalMessage(result), { status: 404, code: result.code })
    if (result.ok) session.flash('success', `Transfer #${result.transfer.id} was sent (${result.transfer.stripeTransferId}).`)
    else session.flash('error', refusalMessage(result))
    return response.redirect().back()
  }
}
