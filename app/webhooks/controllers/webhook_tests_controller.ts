import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import WebhookPolicy from '#app/webhooks/policies/webhook_policy'
import { WebhookService } from '#app/webhooks/webhook_service'
import { webhookErrors } from '#app/webhooks/errors'

/** "Send a test event": a signed `test` event to the buyer's endpoint, logged like any other. */
@inject()
export default class WebhookTestsController {
  constructor(protected webhooks: WebhookService) {}

  async store({ bouncer, auth, response, session }: HttpContext) {
    await bouncer.with(WebhookPolicy).authorize('manage')
    const result = await this.webhooks.sendTest(auth.getUserOrFail())
    if (result.ok)
      session.flash(
        'success',
        `Test event ${result.value.eventId} queued; its delivery shows in the log below.`
      )
    else session.flash('error', webhookErrors.describe(result))
    return response.redirect('/account/webhook')
  }
}
