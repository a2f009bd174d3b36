import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { CommercePolicy } from '#app/commerce/public'
import { licenceTextValidator } from '#app/licences/validators'
import { LicenceTextService } from '#app/licences/licence_text_service'

/** Licence text versions per licence type: every one ever published, and publishing the next. Never an edit. */
@inject()
export default class AdminLicenceTextsController {
  constructor(protected texts: LicenceTextService) {}

  /** `?type=commercial` starts the publish form from that type's current text (research otherwise). */
  async index({ bouncer, request, view }: HttpContext) {
    await bouncer.with(CommercePolicy).authorize('manageLicenceTexts')
    const types = await this.texts.allTexts()
    const draft = types.find((entry) => entry.type === request.qs().type) ?? types[0]
    return view.render('pages/admin/licence_texts/index', { types, draft })
  }

  async store({ bouncer, auth, request, response, session }: HttpContext) {
    await bouncer.with(CommercePolicy).authorize('manageLicenceTexts')
    const input = await request.validateUsing(licenceTextValidator)
    const text = await this.texts.publish(auth.getUserOrFail(), input, request.ip())
    session.flash(
      'success',
      `Version ${text.version} of the ${text.licenceType} licence is published. New purchases and claims agree to it; earlier licences keep theirs.`
    )
    return response.redirect('/admin/licence-texts')
  }

  async show({ bouncer, params, view }: HttpContext) {
    await bouncer.with(CommercePolicy).authorize('manageLicenceTexts')
    const text = await this.texts.text(Number(params.licenceTextId))
    return view.render('pages/admin/licence_texts/show', { text })
  }
}
