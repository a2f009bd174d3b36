/*
 * Money: Stripe Checkout for a dataset version and the pages Stripe returns to, Stripe's
 * webhook, claiming a free version, an admin's licence grant and the licence texts buyers
 * agree to (admins publish their versions). The licence pages
 * themselves (/licences/:id) live with the downloads routes.
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'

// Authenticated by its signature, not a session.
router.post('/webhooks/stripe', [controllers.StripeWebhooks, 'store'])

router
  .group(() => {
    router
      .post('/checkout/:versionId', [controllers.Checkout, 'store'])
      .where('versionId', router.matchers.uuid())
    router.get('/checkout/success', [controllers.Checkout, 'success'])
    router.get('/checkout/cancel', [controllers.Checkout, 'cancel'])
    router.post('/checkout/cancel', [controllers.Checkout, 'destroy'])
    router
      .post('/licences/claim/:versionId', [controllers.LicenceClaims, 'store'])
      .where('versionId', router.matchers.uuid())
    router.get('/admin/licences/new', [controllers.LicenceGrants, 'create'])
    router.post('/admin/licences', [controllers.LicenceGrants, 'store'])
    router.get('/admin/licence-texts', [controllers.AdminLicenceTexts, 'index'])
    router.post('/admin/licence-texts', [controllers.AdminLicenceTexts, 'store'])
    router
      .get('/admin/licence-texts/:licenceTextId', [controllers.AdminLicenceTexts, 'show'])
      .where('licenceTextId', router.matchers.number())
  })
  .use(middleware.auth())
