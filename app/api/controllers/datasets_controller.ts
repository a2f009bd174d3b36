import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ApiTokenPolicy } from '#app/accounts/public'
import { apiJson } from '#exceptions/api_error'
import { ApiV1Service } from '#app/api/api_v1_service'

/** A published dataset and one of its versions. */
@inject()
export default class DatasetsController {
  constructor(protected api: ApiV1Service) {}

  async show(ctx: HttpContext) {
    return apiJson(ctx, async () => {
      await ctx.bouncer.with(ApiTokenPolicy).authorize('use', 'catalog:read')
      return this.api.dataset(ctx.params.slug, ctx.auth.getUserOrFail())
    })
  }

  async version(ctx: HttpContext) {
    return apiJson(ctx, async () => {
      await ctx.bouncer.with(ApiTokenPolicy).authorize('use', 'catalog:read')
      return this.api.version(ctx.params.slug, Number(ctx.params.version), ctx.auth.getUserOrFail())
    })
  }
}
