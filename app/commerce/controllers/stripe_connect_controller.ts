import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DashboardPolicy } from '#app/dashboards/public'
import { ConnectService, type OnboardingResult } from '#app/commerce/connect_service'

type Failure = Extract<OnboardingResult, { ok: false }>

/** The sentence a creator reads for each refusal; the log already has Stripe's code. */
function problem(failure: Failure) {
  switch (failure.code) {
    case 'E_NOT_CONFIGURED':
      return 'Payments are not configured on this instance, so payouts cannot be set up yet. Your earnings wait as a pending balance.'
    case 'E_NO_ACCOUNT':
      return 'You have not started Stripe onboarding yet: use "Connect with Stripe" on your dashboard.'
    case 'E_STRIPE':
      return failure.error.message
  }
}

/**
 * Stripe Connect Express onboarding: starting it (the account is created once), and the two
 * addresses Stripe sends the creator back to (refresh: the link expired; return: they left
 * the onboarding, finished or not). Every outcome other than Stripe's page lands on the
 * dashboard with a message.
 */
@inject()
export default class StripeConnectController {
  constructor(protected connect: ConnectService) {}

  async store({ bouncer, auth, response, session }: HttpContext) {
    await bouncer.with(DashboardPolicy).authorize('viewCreator')
    const result = await this.connect.start(auth.getUserOrFail())
    if (result.ok) return response.redirect().status(303).toPath(result.url)
    session.flash('error', problem(result))
    return response.redirect('/creator')
  }

  async refresh({ bouncer, auth, response, session }: HttpContext) {
    await bouncer.with(DashboardPolicy).authorize('viewCreator')
    const result = await this.connect.refresh(auth.getUserOrFail())
    if (result.ok) return response.redirect().status(303).toPath(result.url)
    session.flash('error', problem(result))
    return response.redirect('/creator')
  }

  async complete({ bouncer, auth, response, session }: HttpContext) {
    await bouncer.with(DashboardPolicy).authorize('viewCreator')
    const result = await this.connect.finish(auth.getUserOrFail())
    if (!result.ok) {
      session.flash('error', problem(result))
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
