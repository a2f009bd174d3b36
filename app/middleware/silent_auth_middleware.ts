import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { SessionRegistry } from '#app/accounts/public'

const sessions = new SessionRegistry()

/**
 * Resolves the session user on every page so the layout can show role navigation,
 * without requiring a login. A suspended user is logged out on their next request; anyone
 * else's session is noted in the session registry.
 */
export default class SilentAuthMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    await ctx.auth.check()
    const user = ctx.auth.user
    if (user && user.suspendedAt) {
      await ctx.auth.use('web').logout()
      ctx.session.flash(
        'error',
        'Your account is suspended. Contact an administrator of this instance.'
      )
    } else if (user) {
      // Every signed-in session is indexed under its user, however it began (a remember-me
      // cookie starts one without the login form), so that it can be listed and revoked.
      await sessions.seen(ctx, user)
    }
    return next()
  }
}
