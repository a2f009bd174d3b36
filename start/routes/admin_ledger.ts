/*
 * Admin money and legal consoles: creator balances, transfers, the ledger, the consent and legal log.
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'

router
  .group(() => {
    router.get('/admin/payouts', [controllers.AdminPayouts, 'index'])
    router
      .post('/admin/transfers/:transferId/retry', [controllers.AdminTransfers, 'retry'])
      .where('transferId', router.matchers.number())
    router
      .post('/admin/orders/:orderId/refund', [controllers.AdminRefunds, 'store'])
      .where('orderId', router.matchers.uuid())
    router.get('/admin/ledger', [controllers.AdminLedger, 'index'])
    router.get('/admin/ledger.csv', [controllers.AdminLedger, 'export'])
    router.get('/admin/consent-log', [controllers.AdminConsentLog, 'index'])
    router.get('/admin/consent-log.csv', [controllers.AdminConsentLog, 'export'])
    router.get('/admin/consent-log/licences', [controllers.AdminConsentLog, 'licences'])
    router.get('/admin/consent-log/held-versions', [controllers.AdminConsentLog, 'heldVersions'])
  })
  .use(middleware.auth())
