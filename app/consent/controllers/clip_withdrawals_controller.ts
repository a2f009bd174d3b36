import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import WithdrawalPolicy from '#app/consent/policies/withdrawal_policy'
import { withdrawalValidator } from '#app/consent/validators'
import { ConsentService } from '#app/consent/consent_service'
import { ConsentError } from '#app/consent/errors'
import { SettingsStore } from '#app/core/settings_store'

/**
 * Withdrawing consent for one clip: one page, one click, no e-mail round trip — as easy as
 * giving consent (GDPR Art. 7(3)).
 */
@inject()
export default class ClipWithdrawalsController {
  constructor(
    protected consent: ConsentService,
    protected settings: SettingsStore
  ) {}

  async create({ bouncer, auth, params, view }: HttpContext) {
    await bouncer.with(WithdrawalPolicy).authorize('withdraw')
    const clip = await this.consent.ownClip(auth.getUserOrFail(), params.clipId)
    const retentionDays = await this.settings.get('withdrawal_retention_days')
    const licensing = await this.consent.licensingState(clip)
    return view.render('pages/consent/withdraw', { clip, retentionDays, licensing })
  }

  async store({ bouncer, auth, params, request, response, session }: HttpContext) {
    await bouncer.with(WithdrawalPolicy).authorize('withdraw')
    const { reason, scope } = await request.validateUsing(withdrawalValidator)
    const evidence = {
      ip: request.ip(),
      userAgent: request.header('user-agent') ?? null,
      reason,
      scope,
    }
    try {
      const { record } = await this.consent.withdraw(auth.getUserOrFail(), params.clipId, evidence)
      session.flash(
        'success',
        scope === 'licensing'
          ? 'Licensing withdrawn. The clip stays in your library but leaves every future dataset version; this page is your receipt.'
          : 'Consent withdrawn. The clip is out of processing and future datasets; this page is your receipt.'
      )
      return response.redirect(`/consents/${record.id}`)
    } catch (error) {
      if (
        !(error instanceof ConsentError) ||
        !['E_ALREADY_WITHDRAWN', 'E_NO_LICENSING_CONSENT'].includes(error.code)
      )
        throw error
      session.flash('error', error.message)
      return response.redirect(`/clips/${params.clipId}/withdraw`)
    }
  }
}
