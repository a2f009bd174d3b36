/*
 * Consent: the creator's form and receipts, withdrawing a clip, and the admin's consent
 * texts and withdrawals log. Ids are matched here, so a malformed one is a 404, not an error.
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'

router
  .group(() => {
    router.get('/consent/new', [controllers.Consents, 'create'])
    router.post('/consent', [controllers.Consents, 'store'])
    router.get('/consents', [controllers.Consents, 'index'])
    router
      .get('/consents/:consentId', [controllers.Consents, 'show'])
      .where('consentId', router.matchers.number())
    router
      .get('/consents/:consentId/receipt.json', [controllers.ConsentReceipts, 'show'])
      .where('consentId', router.matchers.number())

    router
      .get('/clips/:clipId/withdraw', [controllers.ClipWithdrawals, 'create'])
      .where('clipId', router.matchers.uuid())
    router
      .post('/clips/:clipId/withdraw', [controllers.ClipWithdrawals, 'store'])
      .where('clipId', router.matchers.uuid())

    router.get('/admin/consent-texts', [controllers.AdminConsentTexts, 'index'])
    router.post('/admin/consent-texts', [controllers.AdminConsentTexts, 'store'])
    router
      .get('/admin/consent-texts/:consentTextId', [controllers.AdminConsentTexts, 'show'])
      .where('consentTextId', router.matchers.number())
    router.get('/admin/withdrawals', [controllers.AdminWithdrawals, 'index'])
  })
  .use(middleware.auth())
