import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { ApiError, toApiError } from '#exceptions/api_error'
import { ApiTokenService } from '#app/accounts/public'
import { apiLimiter } from '#start/limiter'

/**
 * Authenticates an API request by its bearer token (the `api` guard) and nothing else: a
 * session cookie never opens the API (its routes are exempt from CSRF checks). Then counts
 * the request against the token's rate limit. What the token may do (scope, role, suspension)
 * is each handler's policy check. Every refusal is an ApiError (JSON, never a page).
 */
@inject()
export default class ApiAuthMiddleware {
  constructor(protected tokens: ApiTokenService) {}

  async handle(ctx: HttpContext, next: NextFn) {
    ctx.response.header('Cache-Control', 'no-store')
    const header = ctx.request.header('authorization', '') ?? ''
    if (!header) {
      throw new ApiError(
        401,
        'unauthenticated',
        'Send an API token: Authorization: Bearer <token>. Buyers create tokens on their API tokens page.'
      )
    }
    const value = this.tokens.bearerValue(header)
    // Checked before the guard, which would look a non-numeric id up and fail in PostgreSQL.
    if (!value) {
      throw new ApiError(
        401,
        'invalid_token',
        'The Authorization header must be "Bearer ath_…" with a token from your API tokens page.'
      )
    }
    const inspected = await this.tokens.inspect(value)
    if (inspected.state === 'expired') {
      throw new ApiError(
        401,
        'token_expired',
        `This token expired on ${inspected.at.toISO()}. Create a new one on your API tokens page.`
      )
    }
    if (inspected.state === 'invalid') {
      throw new ApiError(
        401,
        'invalid_token',
        'This token is not valid: it was revoked, or it is mistyped.'
      )
    }
    try {
      // authenticateUsing (not auth.use('api').authenticate()) makes auth.user, and so the
      // bouncer, the token's user rather than a session user the request may also carry.
      // It also stamps the token's last_used_at.
      await ctx.auth.authenticateUsing(['api'])
    } catch (error) {
      // Revoked between the two reads.
      throw toApiError(error, ctx)
    }
    try {
      const token = ctx.auth.use('api').getUserOrFail().currentAccessToken
      const limit = await apiLimiter().consume(`api_token_${token.identifier}`)
      ctx.response.header('X-RateLimit-Limit', String(limit.limit))
      ctx.response.header('X-RateLimit-Remaining', String(limit.remaining))
    } catch (error) {
      throw toApiError(error, ctx)
    }
    return next()
  }
}
