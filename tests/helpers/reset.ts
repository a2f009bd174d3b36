import testUtils from '@adonisjs/core/services/test_utils'
import limiter from '@adonisjs/limiter/services/main'
import { CatalogService } from '#app/catalog/catalog_service'
import { SettingsStore } from '#app/core/settings_store'

/**
 * Per-test isolation for HTTP tests: a transaction rolled back after the test, a clean
 * rate-limit store (tests send many requests from 127.0.0.1) and no cached settings or
 * catalog pages (a rolled-back test's datasets must not show in the next one's catalog).
 */
export async function isolate() {
  const rollback = await testUtils.db().withGlobalTransaction()
  await limiter.clear(['redis'])
  SettingsStore.clearCache()
  CatalogService.clearCache()
  return rollback
}
