import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import WebhookPolicy from '#app/webhooks/policies/webhook_policy'
import { WebhookService } from '#app/webhooks/webhook_service'
import { webhookErrors } from '#app/webhooks/errors'

/** Rotating the signing secret, when the old one leaked or an integration is rebuilt. */
@inject()
export default class WebhookSecretsController {
  constructor(protected webhooks: WebhookService) {}

  async store({ bouncer, auth, response, session }: HttpContext) {
    await bouncer.with(WebhookPolicy).authorize('manage')
    const result = await this.webhooks.rotateSecret(auth.getUserOrFail())
    if (result.ok)
      session.flash(
        'success',
        'New signing secret made: events are signed with it from now on. Update your receiver.'
      )
    else session.flash('error', webhookErrors.describe(result))
    return response.redirect('/account/webhook')
  }
}
