import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import CommercePolicy from '#app/commerce/policies/commerce_policy'
import { CheckoutService } from '#app/commerce/checkout_service'
import { checkoutErrors } from '#app/commerce/errors'
import { agreementErrors } from '#app/licences/public'

/** "Get it free": a buyer's licence to a free dataset version, without Stripe. */
@inject()
export default class LicenceClaimsController {
  constructor(protected checkout: CheckoutService) {}

  async store({ bouncer, auth, params, request, response, session }: HttpContext) {
    await bouncer.with(CommercePolicy).authorize('buy')
    const agreed = await this.checkout.agreedVersion(
      params.versionId,
      request.only(['agree', 'licenceTextId'])
    )
    if (!agreed.ok) {
      session.flash('error', agreementErrors.describe(agreed))
      return response.redirect(`/catalog/${agreed.slug}`)
    }
    const { version, text } = agreed
    const result = await this.checkout.claim(auth.getUserOrFail(), version, text)
    if (!result.ok) {
      session.flash('error', checkoutErrors.describe(result))
      return response.redirect(`/catalog/${result.slug}`)
    }
    session.flash(
      'success',
      result.created
        ? 'The dataset is yours: your licence is below.'
        : checkoutErrors.sentence('E_ALREADY_LICENSED')
    )
    return response.redirect(`/licences/${result.licence.id}`)
  }
}
