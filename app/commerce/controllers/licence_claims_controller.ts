import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import CommercePolicy from '#app/commerce/policies/commerce_policy'
import { CheckoutService } from '#app/commerce/checkout_service'
import { checkoutErrors } from '#app/commerce/errors'
import { LicenceTextService, agreementErrors } from '#app/licences/public'

/** "Get it free": a buyer's licence to a free dataset version, without Stripe. */
@inject()
export default class LicenceClaimsController {
  constructor(
    protected checkout: CheckoutService,
    protected terms: LicenceTextService
  ) {}

  async store({ bouncer, auth, params, request, response, session }: HttpContext) {
    await bouncer.with(CommercePolicy).authorize('buy')
    const version = await this.checkout.purchasable(params.versionId)
    const agreement = await this.terms.agreedTo(
      version.licenceType,
      request.only(['agree', 'licenceTextId'])
    )
    if (!agreement.ok) {
      session.flash('error', agreementErrors.describe(agreement))
      return response.redirect(`/catalog/${version.dataset.slug}`)
    }
    const result = await this.checkout.claim(auth.getUserOrFail(), version, agreement.text)
    if (!result.ok) {
      session.flash('error', checkoutErrors.describe(result))
      return response.redirect(`/catalog/${result.slug}`)
    }
    session.flash(
      'success',
      result.created
        ? 'The dataset is yours: your licence is below.'
        : 'You already hold a licence for this dataset version.'
    )
    return response.redirect(`/licences/${result.licence.id}`)
  }
}
