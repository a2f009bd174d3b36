/*
 * The admin moderation queue: review, approve or reject processed clips.
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'

router
  .group(() => {
    router.get('/admin/moderation', [controllers.AdminModeration, 'index'])
    router.post('/admin/moderation/bulk', [controllers.AdminModerationDecisions, 'bulk'])
    router
      .get('/admin/moderation/:clipId', [controllers.AdminModeration, 'show'])
      .where('clipId', router.matchers.uuid())
    router
      .get('/admin/moderation/:clipId/regions.json', [controllers.AdminModeration, 'regions'])
      .where('clipId', router.matchers.uuid())
    router
      .post('/admin/moderation/:clipId/redactions', [controllers.AdminRedactions, 'store'])
      .where('clipId', router.matchers.uuid())
    router
      .get('/admin/moderation/:clipId/redactions/:id', [controllers.AdminRedactions, 'show'])
      .where('clipId', router.matchers.uuid())
      .where('id', router.matchers.number())
    router
      .post('/admin/moderation/:clipId/redactions/:id/render', [
        controllers.AdminRedactions,
        'render',
      ])
      .where('clipId', router.matchers.uuid())
      .where('id', router.matchers.number())
    router
      .post('/admin/moderation/:clipId/redactions/:id/cancel', [
        controllers.AdminRedactions,
        'cancel',
      ])
      .where('clipId', router.matchers.uuid())
      .where('id', router.matchers.number())
    router
      .post('/admin/moderation/:clipId/approve', [controllers.AdminModerationDecisions, 'approve'])
      .where('clipId', router.matchers.uuid())
    router
      .post('/admin/moderation/:clipId/reject', [controllers.AdminModerationDecisions, 'reject'])
      .where('clipId', router.matchers.uuid())
  })
  .use(middleware.auth())
