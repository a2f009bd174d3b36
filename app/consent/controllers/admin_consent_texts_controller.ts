import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import ConsentPolicy from '#app/consent/policies/consent_policy'
import { consentTextValidator } from '#app/consent/validators'
import { ConsentTexts } from '#app/consent/consent_texts'

/** Consent text versions: every one ever published, and publishing the next. Never an edit. */
@inject()
export default class AdminConsentTextsController {
  constructor(protected texts: ConsentTexts) {}

  async index({ bouncer, view }: HttpContext) {
    await bouncer.with(ConsentPolicy).authorize('manageTexts')
    const versions = await this.texts.allTexts()
    return view.render('pages/admin/consent_texts/index', {
      versions,
      current: versions[0]?.text ?? null,
    })
  }

  async store({ bouncer, auth, request, response, session }: HttpContext) {
    await bouncer.with(ConsentPolicy).authorize('manageTexts')
    const input = await request.validateUsing(consentTextValidator)
    const text = await this.texts.publishText(auth.getUserOrFail(), input, request.ip())
    session.flash(
      'success',
      `Version ${text.version} is published. New consents use it; earlier records keep theirs.`
    )
    return response.redirect('/admin/consent-texts')
  }

  async show({ bouncer, params, view }: HttpContext) {
    await bouncer.with(ConsentPolicy).authorize('manageTexts')
    const text = await this.texts.text(Number(params.consentTextId))
    return view.render('pages/admin/consent_texts/show', { text })
  }
}
