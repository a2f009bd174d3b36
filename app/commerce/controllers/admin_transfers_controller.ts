import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AdminPolicy } from '#app/admin/public'
import { AdminPayoutsService } from '#app/commerce/admin_payouts_service'
import { transferErrors } from '#app/commerce/errors'

/** An admin sends a pending or refused transfer again (audited as transfer.retried). */
@inject()
export default class AdminTransfersController {
  constructor(protected payouts: AdminPayoutsService) {}

  async retry({ bouncer, auth, params, request, response, session }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('access')
    const result = await this.payouts.retryTransfer(
      auth.getUserOrFail(),
      Number(params.transferId),
      request.ip()
    )
    if (!result.ok && result.code === 'E_NOT_FOUND') throw transferErrors.raise('E_NOT_FOUND')
    if (result.ok)
      session.flash(
        'success',
        `Transfer #${result.transfer.id} was sent (${result.transfer.stripeTransferId}).`
      )
    else session.flash('error', transferErrors.describe(result))
    return response.redirect().back()
  }
}
