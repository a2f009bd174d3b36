import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import logger from '@adonisjs/core/services/logger'
import { ApiError, type AnswersApi } from '#exceptions/api_error'

export type ExportErrorCode = 'E_MANIFEST_INVALID' | 'E_OBJECT_MISSING' | 'E_SHA256_MISMATCH' | 'E_SIZE_MISMATCH'

/**
 * Why a version cannot be delivered. Before a response has started (an unreadable manifest)
 * the buyer reads a sentence and the log keeps the code; once a ZIP is streaming, the stream
 * is aborted instead (the client sees a failed download, never a wrong file).
 */
export class ExportError extends Exception implements AnswersApi {
  static status = 409

  constructor(
    public code: ExportErrorCode,
    public detail: string
  ) {
    super(`${code}: ${detail}`, { code, status: 409 })
  }

  async handle(error: this, ctx: HttpContext) {
    logger.error({ code: error.code, detail: error.detail, url: ctx.request.url() }, 'dataset version cannot be delivered')
    const message = 'The files of this dataset version cannot be delivered right now. The administrator has been told; try again later.'
    ctx.response.status(409)
    if (ctx.request.accepts(['html']) === 'html') {
      return ctx.response.send(await ctx.view.render('pages/licences/unavailable', { message }))
    }
    return ctx.response.send({ errors: [{ message, code: error.code }] })
  }

  /** The REST API's answer (exceptions/api_error.ts): logged for the administrator, a 409 for the client. */
  toApiError(ctx: HttpContext) {
    logger.error({ code: this.code, detail: this.detail, url: ctx.request.url() }, 'dataset version cannot be delivered')
    return new ApiError(409, 'unavailable', 'The files of this dataset version cannot be delivered right now. The administrator has been told; try again later.')
  }
}
