import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DashboardPolicy } from '#app/dashboards/public'
import { ConnectService } from '#app/commerce/connect_service'
import { connectErrors } from '#app/commerce/errors'

/**
 * Stripe Connect Express onboarding: starting it (the account is created once), and the two
 * addresses Stripe sends the creator back to (refresh: the link expired; return: they left
 * the onboarding, finished or not). Every outcome other than Stripe's page lands on the
 * dashboard with a message (a refusal's sentence is app/commerce/errors.ts's; the log already
 * has Stripe's code).
 */
@inject()
export default class StripeConnectController {
  constructor(protected connect: ConnectService) {}

  async store({ bouncer, auth, response, session }: HttpContext) {
    await bouncer.with(DashboardPolicy).authorize('viewCreator')
    const result = await this.connect.start(auth.getUserOrFail())
    if (result.ok) return response.redirect().status(303).toPath(result.url)
    session.flash('error', connectErrors.describe(result))
    return response.redirect('/creator')
  }

  async refresh({ bouncer, auth, response, session }: HttpContext) {
    await bouncer.with(DashboardPolicy).authorize('viewCreator')
    const result = await this.connect.refresh(auth.getUserOrFail())
    if (result.ok) return response.redirect().status(303).toPath(result.url)
    session.flash('error', connectErrors.describe(result))
    return response.redirect('/creator')
  }

  async complete({ bouncer, auth, response, session }: HttpContext) {
    await bouncer.with(DashboardPolicy).authorize('viewCreator')
    const result = await this.connect.finish(auth.getUserOrFail())
    if (!result.ok) {
      session.flash('error', connectErrors.describe(result))
    } else if (result.status === 'ready') {
      session.flash(
        'success',
        result.becameReady
          ? 'Your Stripe account is ready: your pending balance is being transferred to it.'
          : 'Your Stripe account is ready to receive transfers.'
      )
    } else {
      session.flash(
        'info',
        'Stripe still needs some details before transfers can start. Continue the onboarding when you are ready; your earnings wait as a pending balance.'
      )
    }
    return response.redirect('/creator')
  }
}
