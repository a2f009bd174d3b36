import { BaseSeeder } from '@adonisjs/lucid/seeders'
import { SETTING_DEFAULTS } from '#app/core/settings_store'

/**
 * Writes the default instance settings that are not set yet. Safe on a live instance: an
 * admin's saved value is never overwritten.
 */
export default class InstanceSettingsSeeder extends BaseSeeder {
  async run() {
    const rows = Object.entries(SETTING_DEFAULTS).map(([key, value]) => ({
      key,
      value: JSON.stringify(value),
    }))
    await this.client
      .insertQuery()
      .table('settings')
      .multiInsert(rows)
      .knexQuery.onConflict('key')
      .ignore()
  }
}
