import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ApiTokenPolicy } from '#app/accounts/public'
import { apiJson } from '#exceptions/api_error'
import { ApiV1Service } from '#app/api/api_v1_service'
import { WithdrawalNoticeService } from '#app/notices/public'

/** A licence's withdrawal notices, and the buyer's confirmation that a notice's files are deleted. */
@inject()
export default class WithdrawalsController {
  constructor(
    protected api: ApiV1Service,
    protected notices: WithdrawalNoticeService
  ) {}

  async index(ctx: HttpContext) {
    return apiJson(ctx, async () => {
      await ctx.bouncer.with(ApiTokenPolicy).authorize('use', 'licences:read')
      const licence = await this.api.ownLicence(ctx.auth.getUserOrFail(), ctx.params.licenceId)
      const notices = await this.notices.forLicence(licence)
      return { data: notices.map((notice) => this.notices.apiNotice(notice)) }
    })
  }

  async acknowledge(ctx: HttpContext) {
    return apiJson(ctx, async () => {
      await ctx.bouncer.with(ApiTokenPolicy).authorize('use', 'withdrawals:ack')
      const user = ctx.auth.getUserOrFail()
      const licence = await this.api.ownLicence(user, ctx.params.licenceId)
      const { notice, recorded } = await this.notices.acknowledge(
        user,
        licence.id,
        Number(ctx.params.noticeId),
        'api',
        ctx.request.ip() ?? null
      )
      return { data: this.notices.apiNotice(notice), recorded }
    })
  }
}
