import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { isHtmx } from '#app/core/htmx'
import WithdrawalNoticePolicy from '#app/notices/policies/withdrawal_notice_policy'
import { LicenceLibraryService } from '#app/licences/public'
import { WithdrawalNoticeService } from '#app/notices/withdrawal_notice_service'

/**
 * The buyer's "I have deleted these files" on a withdrawal notice. Recorded once: a second
 * click changes nothing. htmx swaps the notice in place; without JavaScript the page reloads.
 */
@inject()
export default class WithdrawalAcksController {
  constructor(
    protected library: LicenceLibraryService,
    protected notices: WithdrawalNoticeService
  ) {}

  async store({ bouncer, params, auth, request, response, session, view }: HttpContext) {
    const licence = await this.library.find(params.licenceId)
    await bouncer.with(WithdrawalNoticePolicy).authorize('acknowledge', licence)
    const { notice, recorded } = await this.notices.acknowledge(
      auth.getUserOrFail(),
      licence.id,
      Number(params.noticeId),
      'page',
      request.ip() ?? null
    )
    if (isHtmx(request))
      return view.render('components/licences/notice', {
        notice,
        showLicence: request.input('showLicence') === '1',
      })
    session.flash(
      'success',
      recorded
        ? 'Recorded: you confirmed that these files are deleted.'
        : 'You had already confirmed deleting these files.'
    )
    return response.redirect().back()
  }
}
