import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import logger from '@adonisjs/core/services/logger'
import { errors as authErrors } from '@adonisjs/auth'
import { errors as bouncerErrors } from '@adonisjs/bouncer'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { errors as lucidErrors } from '@adonisjs/lucid'
import { errors as vineErrors } from '@vinejs/vine'
import { FeatureError } from '#app/core/errors'

/** The codes an API error body can carry (documented in the OpenAPI document). */
export const API_ERROR_CODES = [
  'unauthenticated',
  'invalid_token',
  'token_expired',
  'insufficient_scope',
  'wrong_role',
  'account_suspended',
  'forbidden',
  'not_found',
  'validation_failed',
  'rate_limited',
  'unavailable',
  'bad_request',
  'internal_error',
] as const
export type ApiErrorCode = (typeof API_ERROR_CODES)[number]

const REALM = 'Bearer realm="athera-api"'

/**
 * An error of the REST API, rendered by its own `handle` (the app's exception handler defers
 * to it) as `{"error":{"code","message"}}` (plus `details` for validation), whatever the
 * client accepts: an API client never gets an HTML page.
 */
export class ApiError extends Exception {
  constructor(
    public status: number,
    public apiCode: ApiErrorCode,
    message: string,
    public headers: Record<string, string> = {},
    public details?: unknown
  ) {
    super(message, { status, code: `E_API_${apiCode.toUpperCase()}` })
    // RFC 6750: a 401 challenges for a bearer token; an expired or unknown one is invalid_token.
    if (status === 401)
      headers['WWW-Authenticate'] ??=
        apiCode === 'unauthenticated' ? REALM : `${REALM}, error="invalid_token"`
  }

  async handle(error: this, { response }: HttpContext) {
    for (const [name, value] of Object.entries(error.headers)) response.header(name, value)
    response.header('Cache-Control', 'no-store')
    const body: Record<string, unknown> = { code: error.apiCode, message: error.message }
    if (error.details) body.details = error.details
    return response.status(error.status).json({ error: body })
  }
}

/**
 * Any error raised while serving an API request, as the ApiError the client reads. Errors
 * thrown in Adonis middleware and handlers go straight to the exception handler (a middleware
 * cannot catch what runs after it), so API code converts its own with `apiJson`.
 */
export function toApiError(error: unknown, ctx: HttpContext): ApiError {
  if (error instanceof ApiError) return error
  if (error instanceof authErrors.E_UNAUTHORIZED_ACCESS) {
    return new ApiError(
      401,
      'invalid_token',
      'This token is not valid: it was revoked, or it is mistyped.'
    )
  }
  if (error instanceof bouncerErrors.E_AUTHORIZATION_FAILURE) {
    const code = (error.response.translation?.identifier as ApiErrorCode | undefined) ?? 'forbidden'
    const headers: Record<string, string> =
      code === 'insufficient_scope'
        ? { 'WWW-Authenticate': `${REALM}, error="insufficient_scope"` }
        : {}
    return new ApiError(
      error.response.status ?? 403,
      code,
      error.response.message || 'You are not allowed to do this.',
      headers
    )
  }
  if (error instanceof vineErrors.E_VALIDATION_ERROR) {
    const details = (error.messages as { field: string; message: string; rule: string }[]).map(
      ({ field, message, rule }) => ({ field, message, rule })
    )
    return new ApiError(
      422,
      'validation_failed',
      details[0]?.message ?? 'The request is not valid.',
      {},
      details
    )
  }
  if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
    const headers = Object.fromEntries(
      Object.entries(error.getDefaultHeaders()).map(([name, value]) => [name, String(value)])
    )
    return new ApiError(
      429,
      'rate_limited',
      `Too many requests with this token. Retry in ${error.response.availableIn} s.`,
      headers
    )
  }
  if (error instanceof lucidErrors.E_ROW_NOT_FOUND) {
    return new ApiError(404, 'not_found', 'Nothing here: check the slug, version number or id.')
  }
  if (error instanceof FeatureError) {
    // The ApiError that reaches the handler no longer carries what the log needs: log it here.
    if (error.detail)
      logger.error(
        { code: error.code, detail: error.detail, url: ctx.request.url() },
        error.message
      )
    // A catalog may name the API's code (a version whose files cannot be delivered: unavailable).
    if (error.entry.api)
      return new ApiError(error.status, error.entry.api as ApiErrorCode, error.message, {
        ...error.entry.headers,
      })
  }
  const status = (error as { status?: unknown } | null)?.status
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(
      status,
      status === 404 ? 'not_found' : 'bad_request',
      (error as Error).message || 'The request is not valid.'
    )
  }
  logger.error({ err: error, url: ctx.request.url() }, 'API request failed')
  return new ApiError(
    500,
    'internal_error',
    'Something went wrong on our side. Try again; if it persists, tell the administrator.'
  )
}

/** Runs an API handler's work and answers its result as JSON, or its failure as an ApiError. */
export async function apiJson(ctx: HttpContext, work: () => Promise<unknown>) {
  try {
    const result = await work()
    ctx.response.header('Cache-Control', 'no-store')
    return ctx.response.json(result)
  } catch (error) {
    throw toApiError(error, ctx)
  }
}
