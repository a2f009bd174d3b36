import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import WebhookPolicy from '#app/webhooks/policies/webhook_policy'
import { WebhookService } from '#app/webhooks/webhook_service'
import { webhookValidator } from '#app/webhooks/validators'
import { webhookUrlErrors } from '#app/webhooks/errors'

/** The buyer's one webhook endpoint: its URL and secret, and the log of deliveries to it. */
@inject()
export default class BuyerWebhooksController {
  constructor(protected webhooks: WebhookService) {}

  async show({ bouncer, auth, view }: HttpContext) {
    await bouncer.with(WebhookPolicy).authorize('manage')
    const user = auth.getUserOrFail()
    const endpoint = await this.webhooks.endpointOf(user)
    const deliveries = await this.webhooks.log(user)
    return view.render('pages/account/webhook', {
      endpoint,
      secret: endpoint ? this.webhooks.secretOf(endpoint) : null,
      deliveries,
    })
  }

  /** Sets or replaces the URL. */
  async update({ bouncer, auth, request, response, session }: HttpContext) {
    await bouncer.with(WebhookPolicy).authorize('manage')
    const { url } = await request.validateUsing(webhookValidator)
    const result = await this.webhooks.save(auth.getUserOrFail(), url)
    if (!result.ok) {
      session.flashAll()
      session.flash('inputErrorsBag', { url: [webhookUrlErrors.describe(result)] })
      return response.redirect().back()
    }
    session.flash(
      'success',
      result.value.created
        ? 'Webhook saved. Copy its signing secret below to verify the events.'
        : 'Webhook URL replaced; the signing secret is unchanged.'
    )
    return response.redirect('/account/webhook')
  }

  async destroy({ bouncer, auth, response, session }: HttpContext) {
    await bouncer.with(WebhookPolicy).authorize('manage')
    const removed = await this.webhooks.remove(auth.getUserOrFail())
    session.flash(
      'success',
      removed ? 'Webhook removed: no more events are sent.' : 'There was no webhook to remove.'
    )
    return response.redirect('/account/webhook')
  }
}
