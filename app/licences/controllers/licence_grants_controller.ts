import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { CommercePolicy } from '#app/commerce/public'
import { licenceGrantValidator } from '#app/licences/validators'
import { LicenceIssuer } from '#app/licences/licence_issuer'
import { grantErrors } from '#app/licences/errors'

/** An admin grants a buyer a licence without payment (audited). */
@inject()
export default class LicenceGrantsController {
  constructor(protected licences: LicenceIssuer) {}

  async create({ bouncer, request, view }: HttpContext) {
    await bouncer.with(CommercePolicy).authorize('grant')
    return view.render('pages/admin/licences/new', { versionId: request.qs().version ?? '' })
  }

  async store({ bouncer, auth, request, response, session }: HttpContext) {
    await bouncer.with(CommercePolicy).authorize('grant')
    const input = await request.validateUsing(licenceGrantValidator)
    const result = await this.licences.grant(auth.getUserOrFail(), input, request.ip())
    if (!result.ok) {
      session.flashAll()
      session.flash('error', grantErrors.describe(result))
      return response.redirect('/admin/licences/new')
    }
    session.flash(
      'success',
      result.created
        ? `Licence granted to ${input.email}.`
        : `${input.email} already holds a live licence for this version; nothing changed.`
    )
    return response.redirect(`/licences/${result.licence.id}`)
  }
}
