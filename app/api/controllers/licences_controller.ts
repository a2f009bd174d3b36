import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ApiTokenPolicy } from '#app/accounts/public'
import { LicencePolicy } from '#app/licences/public'
import { apiJson } from '#exceptions/api_error'
import { ApiV1Service } from '#app/api/api_v1_service'

/** The caller's licences, and a licensed version's manifest of signed links. */
@inject()
export default class LicencesController {
  constructor(protected api: ApiV1Service) {}

  async index(ctx: HttpContext) {
    return apiJson(ctx, async () => {
      await ctx.bouncer.with(ApiTokenPolicy).authorize('use', 'licences:read')
      return this.api.licences(ctx.auth.getUserOrFail())
    })
  }

  async manifest(ctx: HttpContext) {
    return apiJson(ctx, async () => {
      await ctx.bouncer.with(ApiTokenPolicy).authorize('use', 'downloads:read')
      const user = ctx.auth.getUserOrFail()
      const licence = await this.api.ownLicence(user, ctx.params.licenceId)
      // The web download's rule, unchanged: a revoked licence delivers nothing.
      await ctx.bouncer.with(LicencePolicy).authorize('download', licence)
      const requester = {
        user,
        ip: ctx.request.ip() ?? null,
        userAgent: ctx.request.header('user-agent') ?? null,
      }
      return this.api.manifest(licence, requester)
    })
  }
}
