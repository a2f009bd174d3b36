/*
 * The buyer's console pages of this part (API tokens, order receipts) and the REST API v1:
 * token-authenticated (Authorization: Bearer), JSON only, errors included, with its OpenAPI
 * document. Every /api/v1 route here must appear in app/api/openapi.ts (a test checks).
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'

const SLUG = /^[a-z0-9-]{1,220}$/

router
  .group(() => {
    router.get('/account/tokens', [controllers.ApiTokens, 'index'])
    router.post('/account/tokens', [controllers.ApiTokens, 'store'])
    router
      .delete('/account/tokens/:tokenId', [controllers.ApiTokens, 'destroy'])
      .where('tokenId', router.matchers.number())
    router
      .get('/buyer/receipts/:orderId', [controllers.BuyerDashboard, 'receipt'])
      .where('orderId', router.matchers.uuid())
  })
  .use(middleware.auth())

router
  .group(() => {
    router.get('/catalog', [controllers.api.Catalog, 'index'])
    router.get('/datasets/:slug', [controllers.api.Datasets, 'show']).where('slug', SLUG)
    router
      .get('/datasets/:slug/versions/:version', [controllers.api.Datasets, 'version'])
      .where('slug', SLUG)
      .where('version', { match: /^[1-9]\d{0,8}$/, cast: (value) => Number(value) })
    router.get('/licences', [controllers.api.Licences, 'index'])
    router
      .get('/licences/:licenceId/manifest', [controllers.api.Licences, 'manifest'])
      .where('licenceId', router.matchers.uuid())
  })
  .prefix('/api/v1')
  // Named apart from the web routes of the same controllers' names (catalog.index, licences.index).
  .as('api_v1')
  .use(middleware.apiAuth())

router.get('/api/v1/openapi.json', [controllers.api.Openapi, 'show']).as('api_v1.openapi')
// Registered last: an unknown path under /api gets the API's JSON 404, not the HTML page.
router.any('/api/*', [controllers.api.Openapi, 'missing']).as('api.missing')
