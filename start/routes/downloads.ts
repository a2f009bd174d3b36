/*
 * A buyer's licences and the downloads they give: the list, one licence's page, the manifest
 * of presigned links and the streamed ZIP. Ids are UUIDs: anything else is a 404 here.
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'

router
  .group(() => {
    router.get('/licences', [controllers.Licences, 'index'])
    router
      .get('/licences/:licenceId', [controllers.Licences, 'show'])
      .where('licenceId', router.matchers.uuid())
    router
      .get('/licences/:licenceId/manifest.json', [controllers.Licences, 'manifest'])
      .where('licenceId', router.matchers.uuid())
    router
      .get('/licences/:licenceId/download.zip', [controllers.Licences, 'download'])
      .where('licenceId', router.matchers.uuid())
  })
  .use(middleware.auth())
