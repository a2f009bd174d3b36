/*
 * Uploads: the page, and the tus endpoints it talks to (see app/core/tus.ts).
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'
import { uploadThrottle } from '#start/limiter'

router
  .group(() => {
    router.get('/upload', [controllers.Uploads, 'create'])
    router.post('/uploads', [controllers.Uploads, 'store']).use(uploadThrottle)
    // Upload ids are UUIDs: anything else is no upload (404), not a database error.
    router
      .route('/uploads/:uploadId', ['HEAD'], [controllers.Uploads, 'show'])
      .where('uploadId', router.matchers.uuid())
    router
      .patch('/uploads/:uploadId', [controllers.Uploads, 'update'])
      .where('uploadId', router.matchers.uuid())
    router
      .delete('/uploads/:uploadId', [controllers.Uploads, 'destroy'])
      .where('uploadId', router.matchers.uuid())
  })
  .use(middleware.auth())
