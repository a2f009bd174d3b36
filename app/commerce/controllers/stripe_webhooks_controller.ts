import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { SignatureError, StripeService } from '#app/core/stripe_service'
import { StripeWebhookService } from '#app/commerce/stripe_webhook_service'

/**
 * Stripe's webhook endpoint. No session and no CSRF (config/shield.ts exempts /webhooks/):
 * the signature over the raw body, checked with the stripe library, is the authentication.
 * A forged or stale signature is a 400 before anything is read or written.
 */
@inject()
export default class StripeWebhooksController {
  constructor(
    protected stripe: StripeService,
    protected webhooks: StripeWebhookService
  ) {}

  async store({ request, response }: HttpContext) {
    let event
    try {
      event = this.stripe.constructEvent(request.raw() ?? '', request.header('stripe-signature'))
    } catch (error) {
      if (!(error instanceof SignatureError)) throw error
      return response.badRequest({ error: error.message })
    }
    const outcome = await this.webhooks.apply(event)
    // Nothing was kept: a non-2xx makes Stripe deliver it again later.
    if (outcome.status === 'retry') {
      return response
        .status(outcome.waitingFor === 'order' ? 409 : 503)
        .send({ received: true, ...outcome })
    }
    return response.ok({ received: true, ...outcome })
  }
}
