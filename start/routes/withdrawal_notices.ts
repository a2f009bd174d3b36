/*
 * Withdrawals reach the licence holders: the buyer's confirmation that a notice's files are
 * deleted (page and REST API v1), and the buyer's webhook endpoint. The API rows must appear
 * in app/api/openapi.ts (a test checks); ids are matched here, so a malformed one is a 404.
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'

router
  .group(() => {
    router
      .post('/licences/:licenceId/withdrawals/:noticeId/ack', [controllers.WithdrawalAcks, 'store'])
      .where('licenceId', router.matchers.uuid())
      .where('noticeId', router.matchers.number())
    router.get('/account/webhook', [controllers.BuyerWebhooks, 'show'])
    router.put('/account/webhook', [controllers.BuyerWebhooks, 'update'])
    router.delete('/account/webhook', [controllers.BuyerWebhooks, 'destroy'])
    router.post('/account/webhook/test', [controllers.WebhookTests, 'store'])
    router.post('/account/webhook/secret', [controllers.WebhookSecrets, 'store'])
  })
  .use(middleware.auth())

router
  .group(() => {
    router
      .get('/licences/:licenceId/withdrawals', [controllers.api.Withdrawals, 'index'])
      .where('licenceId', router.matchers.uuid())
    router
      .post('/licences/:licenceId/withdrawals/:noticeId/ack', [
        controllers.api.Withdrawals,
        'acknowledge',
      ])
      .where('licenceId', router.matchers.uuid())
      .where('noticeId', router.matchers.number())
  })
  .prefix('/api/v1')
  .as('api_v1')
  .use(middleware.apiAuth())
