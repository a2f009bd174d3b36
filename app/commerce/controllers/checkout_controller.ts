import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import CommercePolicy from '#app/commerce/policies/commerce_policy'
import { CheckoutService } from '#app/commerce/checkout_service'
import { checkoutErrors } from '#app/commerce/errors'
import { agreementErrors } from '#app/licences/public'

/** Stripe Checkout: starting it for a dataset version, and the two pages Stripe returns to. */
@inject()
export default class CheckoutController {
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
    const result = await this.checkout.start(auth.getUserOrFail(), version, text)
    if (result.ok) return response.redirect().status(303).toPath(result.url)
    if (result.code === 'E_ALREADY_LICENSED') {
      session.flash('success', checkoutErrors.describe(result))
      return response.redirect(`/licences/${result.licence.id}`)
    }
    session.flash('error', checkoutErrors.describe(result))
    return response.redirect(`/catalog/${result.slug}`)
  }

  /** Stripe's success_url: the licence once the webhook issued it, or word that it is coming. */
  async success({ bouncer, auth, request, view }: HttpContext) {
    await bouncer.with(CommercePolicy).authorize('buy')
    const order = await this.checkout.orderOfSession(
      auth.getUserOrFail(),
      String(request.qs().session_id ?? '')
    )
    return view.render('pages/checkout/success', {
      order,
      licence: order.licence?.revokedAt ? null : order.licence,
    })
  }

  /** Stripe's cancel_url: the order as it stands, and a button that cancels it. Changes nothing. */
  async cancel({ bouncer, auth, request, view }: HttpContext) {
    await bouncer.with(CommercePolicy).authorize('buy')
    const order = await this.checkout.orderToCancel(
      auth.getUserOrFail(),
      String(request.qs().order ?? '')
    )
    return view.render('pages/checkout/cancel', { order })
  }

  /** The cancel page's button: the order is cancelled if still pending; back to the page. */
  async destroy({ bouncer, auth, request, response }: HttpContext) {
    await bouncer.with(CommercePolicy).authorize('buy')
    const order = await this.checkout.cancel(
      auth.getUserOrFail(),
      String(request.input('order') ?? '')
    )
    return response.redirect().status(303).toPath(`/checkout/cancel?order=${order.id}`)
  }
}
