import app from '@adonisjs/core/services/app'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import type { StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'
import { errors as bouncerErrors } from '@adonisjs/bouncer'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { NotForSaleError } from '#app/datasets/public'
import { QueueUnavailableError } from '#app/core/queue_service'

/**
 * Turns every error into a page (or JSON for API clients) that says what happened.
 * Users never see a stack trace; the log keeps the error and its code.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction && !app.inTest

  protected renderStatusPages = true

  protected statusPages: Record<StatusPageRange, StatusPageRenderer> = {
    '403': (error, { view }) =>
      view.render('pages/errors/forbidden', { message: error.message }),
    '404': (_, { view }) => view.render('pages/errors/not_found'),
    '429': (_, { view }) => view.render('pages/errors/too_many_requests'),
    '500..599': (_, { view }) => view.render('pages/errors/server_error'),
  }

  async handle(error: unknown, ctx: HttpContext) {
    if (error instanceof NotForSaleError) {
      ctx.response.status(409)
      if (ctx.request.accepts(['html', 'json']) === 'json') {
        return ctx.response.send({ errors: [{ code: error.code, message: error.message }] })
      }
      return ctx.response.send(await ctx.view.render('pages/errors/not_for_sale', { message: error.message, back: error.back }))
    }
    if (error instanceof QueueUnavailableError) {
      ctx.response.status(503).header('Retry-After', '60')
      if (ctx.request.accepts(['html', 'json']) === 'json') {
        return ctx.response.send({ errors: [{ code: error.code, message: error.message }] })
      }
      return ctx.response.send(await ctx.view.render('pages/errors/unavailable', { message: error.message }))
    }
    if (error instanceof bouncerErrors.E_AUTHORIZATION_FAILURE && !ctx.request.accepts(['html'])) {
      return ctx.response.status(403).send({ errors: [{ message: 'You are not allowed to do this.' }] })
    }
    if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS && ctx.request.accepts(['html']) === 'html') {
      const retryAfter = error.response.availableIn
      ctx.response.header('Retry-After', String(retryAfter))
      return ctx.response
        .status(429)
        .send(await ctx.view.render('pages/errors/too_many_requests', { message: error.message, retryAfter }))
    }
    return super.handle(error, ctx)
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}
