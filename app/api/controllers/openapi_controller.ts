import type { HttpContext } from '@adonisjs/core/http'
import env from '#start/env'
import { ApiTokenPolicy } from '#app/accounts/public'
import { ApiError } from '#exceptions/api_error'
import { openApiDocument } from '#app/api/openapi'

/**
 * The OpenAPI 3.1 document of the REST API v1, public like any API reference: it describes
 * endpoints and shapes, not data. The catch-all answers unknown /api paths in the API's error
 * shape instead of the site's HTML 404 page.
 */
export default class OpenapiController {
  async show({ bouncer, response }: HttpContext) {
    await bouncer.with(ApiTokenPolicy).authorize('readReference')
    response.header('Cache-Control', 'public, max-age=300')
    return response.json(openApiDocument(env.get('APP_URL')))
  }

  async missing({ bouncer, request }: HttpContext) {
    await bouncer.with(ApiTokenPolicy).authorize('readReference')
    throw new ApiError(
      404,
      'not_found',
      `No API endpoint answers ${request.method()} ${request.url()}. See /api/v1/openapi.json.`
    )
  }
}
