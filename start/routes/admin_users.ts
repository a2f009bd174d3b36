/*
 * Admin users, invitations, instance settings and the audit log; signing up through an
 * invitation; the instance logo.
 */
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'
import { signupThrottle } from '#start/limiter'

// Public, like the instance name: the logo shows in every visitor's navigation.
router
  .get('/instance/logo/:logoId', [controllers.InstanceLogo, 'show'])
  .where('logoId', router.matchers.uuid())

router
  .group(() => {
    router.get('/invitations/:token', [controllers.InvitationSignups, 'create'])
    router.post('/invitations/:token', [controllers.InvitationSignups, 'store']).use(signupThrottle)
  })
  .use(middleware.guest())

router
  .group(() => {
    router.get('/admin/users', [controllers.AdminUsers, 'index'])
    router
      .put('/admin/users/:userId', [controllers.AdminUsers, 'update'])
      .where('userId', router.matchers.number())
    router
      .post('/admin/users/:userId/suspension', [controllers.AdminUserSuspensions, 'store'])
      .where('userId', router.matchers.number())
    router
      .delete('/admin/users/:userId/suspension', [controllers.AdminUserSuspensions, 'destroy'])
      .where('userId', router.matchers.number())
    router.post('/admin/invitations', [controllers.AdminInvitations, 'store'])
    router
      .delete('/admin/invitations/:invitationId', [controllers.AdminInvitations, 'destroy'])
      .where('invitationId', router.matchers.number())
    router.get('/admin/settings', [controllers.AdminSettings, 'edit'])
    router.put('/admin/settings', [controllers.AdminSettings, 'update'])
    router.get('/admin/audit', [controllers.AdminAudit, 'index'])
  })
  .use(middleware.auth())
