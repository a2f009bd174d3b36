/*
 * A creator's earnings dashboard (GET /creator, registered with the other dashboards in
 * start/routes.ts) and Stripe Connect Express onboarding: start it, and the two addresses
 * Stripe returns the creator to.
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'

router
  .group(() => {
    router.post('/creator/stripe/connect', [controllers.StripeConnect, 'store'])
    router.get('/creator/stripe/refresh', [controllers.StripeConnect, 'refresh'])
    router.get('/creator/stripe/return', [controllers.StripeConnect, 'complete'])
  })
  .use(middleware.auth())
