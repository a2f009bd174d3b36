import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import ConsentPolicy from '#policies/consent_policy'
import { ConsentService } from '#services/consent_service'
import { SettingsService } from '#services/settings_service'

/** Withdrawals, with the licences already sold for versions that include the clip. */
@inject()
export default class AdminWithdrawalsController {
  constructor(
    protected consent: ConsentService,
    protected settings: SettingsService
  ) {}

  async index({ bouncer, view }: HttpContext) {
    await bouncer.with(ConsentPolicy).authorize('viewWithdrawals')
    const withdrawals = await this.consent.withdrawalsWithAffectedLicences()
    const retentionDays = await this.settings.get('withdrawal_retention_days')
    return view.render('pages/admin/withdrawals/index', { withdrawals, retentionDays })
  }
}
