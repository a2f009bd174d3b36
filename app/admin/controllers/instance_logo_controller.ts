import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { InstanceSettingsService } from '#app/admin/instance_settings_service'
import { settingsErrors } from '#app/admin/errors'

/**
 * The instance's logo, public like the name it stands beside. Each upload has a new id, so a
 * response never goes stale and browsers keep it for a year.
 */
@inject()
export default class InstanceLogoController {
  constructor(protected instance: InstanceSettingsService) {}

  async show({ params, response }: HttpContext) {
    const found = await this.instance.logo(params.logoId)
    if (!found) throw settingsErrors.raise('E_LOGO_NOT_FOUND')
    response.header('Content-Type', found.logo.contentType)
    response.header('Content-Length', String(found.logo.bytes))
    response.header('Cache-Control', 'public, max-age=31536000, immutable')
    response.header('X-Content-Type-Options', 'nosniff')
    return response.stream(found.stream)
  }
}
