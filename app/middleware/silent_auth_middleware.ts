import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * Resolves the session user on every page so the layout can show role navigation,
 * without requiring a login. A suspended user is logged out on their next request.
 */
export default class SilentAuthMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    await ctx.auth.check()
    const user = ctx.auth.user
    if (user && user.suspendedAt) {
      await ctx.auth.use('web').logout()
      ctx.session.flash('error', 'Your account is suspended. Contact an administrator of this instance.')
    }
    return next()
  }
}
