import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import CommercePolicy from '#policies/commerce_policy'
import { CheckoutService } from '#services/checkout_service'

/** "Get it free": a buyer's licence to a free dataset version, without Stripe. */
@inject()
export default class LicenceClaimsController {
  constructor(protected checkout: CheckoutService) {}

  async store({ bouncer, auth, params, response, session }: HttpContext) {
    await bouncer.with(CommercePolicy).authorize('buy')
    const version = await this.checkout.purchasable(params.versionId)
    const result = await this.checkout.claim(auth.getUserOrFail(), version)
    if (!result.ok) {
      session.flash('error', 'This dataset is not free: buy it to get a licence.')
      return response.redirect(`/catalog/${result.slug}`)
    }
    session.flash('success', result.created ? 'The dataset is yours: your licence is below.' : 'You already hold a licence for this dataset version.')
    return response.redirect(`/licences/${result.licence.id}`)
  }
}
