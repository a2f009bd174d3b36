/*
 * Uploads: the page, and the tus endpoints it talks to (see app/services/tus.ts).
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'
import { uploadThrottle } from '#start/limiter'

router
  .group(() => {
    router.get('/upload', [controllers.Uploads, 'create'])
    router.post('/uploads', [controllers.Uploads, 'store']).use(uploadThrottle)
    router.route('/uploads/:uploadId', ['HEAD'], [controllers.Uploads, 'show'])
    router.patch('/uploads/:uploadId', [controllers.Uploads, 'update'])
    router.delete('/uploads/:uploadId', [controllers.Uploads, 'destroy'])
  })
  .use(middleware.auth())
