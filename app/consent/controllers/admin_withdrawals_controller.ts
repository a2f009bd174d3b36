import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import ConsentPolicy from '#app/consent/policies/consent_policy'
import { AffectedLicences } from '#app/consent/affected_licences'
import { SettingsStore } from '#app/core/settings_store'
import { WithdrawalNoticeService } from '#app/notices/public'

/** Withdrawals, with the licences already sold for versions that include the clip and whether their buyers confirmed. */
@inject()
export default class AdminWithdrawalsController {
  constructor(
    protected affected: AffectedLicences,
    protected settings: SettingsStore,
    protected notices: WithdrawalNoticeService
  ) {}

  async index({ bouncer, view }: HttpContext) {
    await bouncer.with(ConsentPolicy).authorize('viewWithdrawals')
    const withdrawals = await this.affected.withdrawalsWithAffectedLicences()
    const retentionDays = await this.settings.get('withdrawal_retention_days')
    const ackDays = await this.settings.get('withdrawal_ack_days')
    const states = await this.notices.states(withdrawals.map((row) => row.recordId))
    return view.render('pages/admin/withdrawals/index', {
      withdrawals,
      retentionDays,
      ackDays,
      states,
    })
  }
}
