/*
 * A creator's clips: the live list, one clip in full, and retrying a failed clip.
 * Consent withdrawal (/clips/:id/withdraw) lives with the consent routes.
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'

router
  .group(() => {
    router.get('/clips', [controllers.Clips, 'index'])
    // Ids are UUIDs: anything else is a 404 here, not a database error.
    router.get('/clips/:id', [controllers.Clips, 'show']).where('id', router.matchers.uuid())
    router
      .get('/clips/:id/keypoints.json', [controllers.Clips, 'keypoints'])
      .where('id', router.matchers.uuid())
    router
      .post('/clips/:id/retry', [controllers.ClipRetry, 'store'])
      .where('id', router.matchers.uuid())
  })
  .use(middleware.auth())
