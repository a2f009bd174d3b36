import testUtils from '@adonisjs/core/services/test_utils'
import limiter from '@adonisjs/limiter/services/main'
import { SettingsService } from '#services/settings_service'

/**
 * Per-test isolation for HTTP tests: a transaction rolled back after the test, a clean
 * rate-limit store (tests send many requests from 127.0.0.1) and no cached settings.
 */
export async function isolate() {
  const rollback = await testUtils.db().withGlobalTransaction()
  await limiter.clear(['redis'])
  SettingsService.clearCache()
  return rollback
}
