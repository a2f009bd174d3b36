import app from '@adonisjs/core/services/app'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import type { StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'
import { errors as bouncerErrors } from '@adonisjs/bouncer'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { FeatureError } from '#app/core/errors'
import { isHtmx } from '#app/core/htmx'

/**
 * Turns every error into a page (or JSON for API clients) that says what happened.
 * Users never see a stack trace; the log keeps the error and its code.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction && !app.inTest

  protected renderStatusPages = true

  protected statusPages: Record<StatusPageRange, StatusPageRenderer> = {
    '403': (error, { view }) => view.render('pages/errors/forbidden', { message: error.message }),
    '404': (_, { view }) => view.render('pages/errors/not_found'),
    '429': (_, { view }) => view.render('pages/errors/too_many_requests'),
    '500..599': (_, { view }) => view.render('pages/errors/server_error'),
  }

  async handle(error: unknown, ctx: HttpContext) {
    if (error instanceof FeatureError) return this.renderFeatureError(error, ctx)
    if (error instanceof bouncerErrors.E_AUTHORIZATION_FAILURE && !ctx.request.accepts(['html'])) {
      return ctx.response
        .status(403)
        .send({ errors: [{ message: 'You are not allowed to do this.' }] })
    }
    if (
      error instanceof limiterErrors.E_TOO_MANY_REQUESTS &&
      ctx.request.accepts(['html']) === 'html'
    ) {
      const retryAfter = error.response.availableIn
      ctx.response.header('Retry-After', String(retryAfter))
      return ctx.response.status(429).send(
        await ctx.view.render('pages/errors/too_many_requests', {
          message: error.message,
          retryAfter,
        })
      )
    }
    return super.handle(error, ctx)
  }

  /**
   * A feature's refusal, with its status and sentence: JSON for a client that asks for it,
   * the sentence alone for htmx (it swaps no error by default; a listener may show it), and
   * otherwise the page its catalog names, or the generic one.
   */
  protected async renderFeatureError(
    error: FeatureError,
    { request, response, view }: HttpContext
  ) {
    response.status(error.status)
    for (const [name, value] of Object.entries(error.entry.headers ?? {}))
      response.header(name, value)
    if (request.accepts(['html', 'json']) === 'json') {
      return response.send({ errors: [{ code: error.code, message: error.message }] })
    }
    const state = { message: error.message, back: error.back, status: error.status }
    if (isHtmx(request)) return response.send(await view.render('components/errors/refusal', state))
    return response.send(await view.render(error.entry.page ?? 'pages/errors/refused', state))
  }

  async report(error: unknown, ctx: HttpContext) {
    // A refusal is logged by its code; `detail` is what the reader must not see (a storage
    // key, a byte count) and means the administrator has something to fix.
    if (error instanceof FeatureError) {
      const level = error.detail || error.status >= 500 ? 'error' : 'warn'
      ctx.logger.log(
        level,
        { code: error.code, detail: error.detail ?? undefined, url: ctx.request.url() },
        error.message
      )
      return
    }
    return super.report(error, ctx)
  }
}
