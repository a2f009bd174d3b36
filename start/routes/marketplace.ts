/*
 * The catalog side of the marketplace: the public catalog and dataset pages (with the sample
 * clip's files), and the creators' and admins' dataset management under /my/datasets.
 * Checkout, licences and downloads live in their own route files.
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'

const SLUG = /^[a-z0-9-]{1,220}$/

router.get('/catalog', [controllers.Catalog, 'index'])
router.get('/catalog/:slug', [controllers.Catalog, 'show']).where('slug', SLUG)
router
  .get('/catalog/:slug/sample/keypoints.json', [controllers.Catalog, 'sampleKeypoints'])
  .where('slug', SLUG)
router
  .get('/catalog/:slug/sample/preview.mp4', [controllers.Catalog, 'samplePreview'])
  .where('slug', SLUG)

router
  .group(() => {
    router.get('/my/datasets', [controllers.MyDatasets, 'index'])
    router.get('/my/datasets/new', [controllers.MyDatasets, 'create'])
    router.post('/my/datasets', [controllers.MyDatasets, 'store'])
    // Ids are UUIDs: anything else is a 404 here, not a database error.
    router
      .get('/my/datasets/:datasetId/edit', [controllers.MyDatasets, 'edit'])
      .where('datasetId', router.matchers.uuid())
    router
      .put('/my/datasets/:datasetId', [controllers.MyDatasets, 'update'])
      .where('datasetId', router.matchers.uuid())
    router
      .post('/my/datasets/:datasetId/clips', [controllers.MyDatasets, 'clips'])
      .where('datasetId', router.matchers.uuid())
    router
      .post('/my/datasets/:datasetId/publish', [controllers.MyDatasets, 'publish'])
      .where('datasetId', router.matchers.uuid())
    router
      .post('/my/datasets/:datasetId/unpublish', [controllers.MyDatasets, 'unpublish'])
      .where('datasetId', router.matchers.uuid())
  })
  .use(middleware.auth())
