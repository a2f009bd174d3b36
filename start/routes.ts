/*
|--------------------------------------------------------------------------
| Routes
|--------------------------------------------------------------------------
| Every route is listed in tests/helpers/route_tables/ with the status each role gets; a
| route added without a row there fails tests/functional/authorization.spec.ts.
| Feature routes live in start/routes/*.ts, imported at the end of this file.
*/
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware } from '#start/kernel'
import { loginThrottle, passwordResetThrottle, signupThrottle } from '#start/limiter'

router.get('/', [controllers.Home, 'show'])
router.get('/healthz', [controllers.Health, 'live'])
router.get('/readyz', [controllers.Health, 'ready'])

router.get('/setup', [controllers.Setup, 'create'])
router.post('/setup', [controllers.Setup, 'store']).use(signupThrottle)

router
  .group(() => {
    router.get('/signup', [controllers.Signup, 'create'])
    router.post('/signup', [controllers.Signup, 'store']).use(signupThrottle)
    router.get('/login', [controllers.Session, 'create'])
    router.post('/login', [controllers.Session, 'store']).use(loginThrottle)
    router.get('/password/forgot', [controllers.PasswordReset, 'create'])
    router.post('/password/forgot', [controllers.PasswordReset, 'store']).use(passwordResetThrottle)
    router.get('/password/reset/:token', [controllers.PasswordReset, 'edit'])
    router
      .post('/password/reset/:token', [controllers.PasswordReset, 'update'])
      .use(passwordResetThrottle)
  })
  .use(middleware.guest())

router
  .group(() => {
    router.post('/logout', [controllers.Session, 'destroy'])
    router.get('/dashboard', [controllers.Dashboard, 'handle'])
    router.get('/creator', [controllers.CreatorDashboard, 'show'])
    router.get('/buyer', [controllers.BuyerDashboard, 'show'])
    router.get('/admin', [controllers.AdminDashboard, 'show'])
    router.get('/account/password', [controllers.Password, 'edit'])
    router.put('/account/password', [controllers.Password, 'update'])
    router.get('/account/sessions', [controllers.AccountSessions, 'index'])
    router.delete('/account/sessions', [controllers.AccountSessions, 'clear'])
    router
      .delete('/account/sessions/:handle', [controllers.AccountSessions, 'destroy'])
      .where('handle', /^[0-9a-f]{24}$/)
  })
  .use(middleware.auth())

await import('#start/routes/uploads')
await import('#start/routes/consent')
await import('#start/routes/clips')
await import('#start/routes/marketplace')
await import('#start/routes/commerce')
await import('#start/routes/downloads')
await import('#start/routes/creator')
// Before the API's routes: its catch-all for unknown /api paths must come last.
await import('#start/routes/withdrawal_notices')
await import('#start/routes/api')
await import('#start/routes/moderation')
await import('#start/routes/admin_ledger')
await import('#start/routes/admin_users')
