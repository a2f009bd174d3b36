import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ApiTokenPolicy } from '#app/accounts/public'
import { apiJson } from '#exceptions/api_error'
import { ApiV1Service } from '#app/api/api_v1_service'

/** GET /api/v1/catalog: the catalog's search, filters and cursor pagination as JSON. */
@inject()
export default class CatalogController {
  constructor(protected api: ApiV1Service) {}

  async index(ctx: HttpContext) {
    return apiJson(ctx, async () => {
      await ctx.bouncer.with(ApiTokenPolicy).authorize('use', 'catalog:read')
      return this.api.catalogPage(ctx.request.qs())
    })
  }
}
