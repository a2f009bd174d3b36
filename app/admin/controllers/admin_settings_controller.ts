import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import AdminPolicy from '#app/admin/policies/admin_policy'
import { CURRENCIES, settingsValidator } from '#app/admin/validators'
import { InstanceSettingsService } from '#app/admin/instance_settings_service'
import { settingsErrors } from '#app/admin/errors'

/** The instance settings form; saving writes and audits each changed key at once. */
@inject()
export default class AdminSettingsController {
  constructor(protected instance: InstanceSettingsService) {}

  async edit({ bouncer, view }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('manageSettings')
    return view.render('pages/admin/settings/edit', {
      form: await this.instance.form(),
      currencies: CURRENCIES,
    })
  }

  async update({ auth, bouncer, request, response, session }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('manageSettings')
    const input = await request.validateUsing(settingsValidator)
    const result = await this.instance.save(auth.getUserOrFail(), input, request.ip())
    if (!result.ok) {
      session.flashAll()
      session.flash('inputErrorsBag', { logo: [settingsErrors.describe(result)] })
      return response.redirect('/admin/settings')
    }
    session.flash(
      result.changed.length ? 'success' : 'info',
      result.changed.length
        ? `Settings saved (${result.changed.length} changed).`
        : 'Nothing changed.'
    )
    return response.redirect('/admin/settings')
  }
}
