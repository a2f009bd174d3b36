import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { Authenticators } from '@adonisjs/auth/types'
import { isHtmx } from '#app/core/htmx'

/**
 * Requires a logged-in, non-suspended user; browsers are sent to the login page.
 */
export default class AuthMiddleware {
  redirectTo = '/login'

  async handle(
    ctx: HttpContext,
    next: NextFn,
    options: { guards?: (keyof Authenticators)[] } = {}
  ) {
    // A poll (htmx) that outlives its session must move the whole page to the login, not swap
    // the login form into a fragment.
    if (isHtmx(ctx.request) && !(await ctx.auth.check())) {
      ctx.response.header('HX-Redirect', this.redirectTo)
      return ctx.response.status(401).send('')
    }
    await ctx.auth.authenticateUsing(options.guards, { loginRoute: this.redirectTo })
    return next()
  }
}
