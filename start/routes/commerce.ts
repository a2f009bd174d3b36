/*
 * Money: Stripe Checkout for a dataset version and the pages Stripe returns to, Stripe's
 * webhook, claiming a free version, and an admin's licence grant. The licence pages
 * themselves (/licences/:id) live with the downloads routes.
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'

// Authenticated by its signature, not a session.
router.post('/webhooks/stripe', [controllers.StripeWebhooks, 'store'])

router
  .group(() => {
    router.post('/checkout/:versionId', [controllers.Checkout, 'store']).where('versionId', router.matchers.uuid())
    router.get('/checkout/success', [controllers.Checkout, 'success'])
    router.get('/checkout/cancel', [controllers.Checkout, 'cancel'])
    router
      .post('/licences/claim/:versionId', [controllers.LicenceClaims, 'store'])
      .where('versionId', router.matchers.uuid())
    router.get('/admin/licences/new', [controllers.LicenceGrants, 'create'])
    router.post('/admin/licences', [controllers.LicenceGrants, 'store'])
  })
  .use(middleware.auth())
