import { assert } from '@japa/assert'
import { apiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import testUtils from '@adonisjs/core/services/test_utils'
import { authApiClient } from '@adonisjs/auth/plugins/api_client'
import { sessionApiClient } from '@adonisjs/session/plugins/api_client'
import { shieldApiClient } from '@adonisjs/shield/plugins/api_client'
import { recreateTestDatabase } from '#tests/helpers/database'
import { startS3Server } from '#tests/helpers/s3'
import { StorageService } from '#app/core/storage_service'
import { faker } from '@faker-js/faker'

/**
 * Factories draw names and titles from faker. A fixed seed makes every run draw the same ones,
 * so a failure caused by one unlucky value (a name with an apostrophe, two equal titles) shows up
 * on every run, not one in fifty; FAKER_SEED=<n> explores other draws.
 */
const fakerSeed = Number(process.env.FAKER_SEED) || 20_261_201
faker.seed(fakerSeed)
if (process.env.FAKER_SEED) console.log(`faker seed ${fakerSeed}`)

export const plugins: Config['plugins'] = [
  assert(),
  apiClient(),
  pluginAdonisJS(app),
  sessionApiClient(app),
  shieldApiClient(),
  authApiClient(app),
]

/**
 * Before any test: the test database is recreated empty and migrated, and an s3rver
 * listens where .env.test points S3. After all tests: both are torn down.
 */
export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [
    async () => {
      await recreateTestDatabase()
    },
    () => testUtils.db().migrate(),
    async () => {
      const stop = await startS3Server()
      // Like the server's boot (start/queue.ts): the buckets exist before any request.
      const storage = await app.container.make(StorageService)
      await storage.ensureBuckets()
      return stop
    },
  ],
  teardown: [],
}

export const configureSuite: Config['configureSuite'] = (suite) => {
  if (['browser', 'functional'].includes(suite.name)) {
    return suite.setup(() => testUtils.httpServer().start())
  }
}
