import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { SETTING_DEFAULTS, SettingsStore } from '#app/core/settings_store'

/**
 * Gives every page, error pages included, the instance's name, logo and registration mode for
 * the layout. When the database is down the defaults keep the error page rendering.
 */
@inject()
export default class ShareInstanceMiddleware {
  constructor(protected settings: SettingsStore) {}

  async handle(ctx: HttpContext, next: NextFn) {
    if ('view' in ctx) {
      const settings = await this.settings.all().catch(() => SETTING_DEFAULTS)
      ctx.view.share({
        instance: {
          name: settings.instance_name,
          tagline: settings.instance_tagline,
          registrationOpen: settings.registration === 'open',
          logoUrl: settings.instance_logo ? `/instance/logo/${settings.instance_logo.id}` : null,
        },
      })
    }
    return next()
  }
}
