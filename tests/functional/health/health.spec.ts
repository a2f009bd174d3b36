import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { HealthService, probeBinary } from '#app/instance/health_service'
import { StorageService } from '#app/core/storage_service'
import { startS3Server } from '#tests/helpers/s3'

test.group('Health endpoints', (group) => {
  group.each.teardown(() => app.container.restoreAll())

  test('/healthz answers while the process is alive', async ({ client, assert }) => {
    const response = await client.get('/healthz')
    response.assertStatus(200)
    assert.equal(response.body().status, 'ok')
  })

  test('/readyz reports every dependency ready', async ({ client, assert }) => {
    const storage = await app.container.make(StorageService)
    await storage.ensureBuckets()

    const response = await client.get('/readyz')
    response.assertStatus(200)
    const body = response.body()
    assert.isTrue(body.ready)
    assert.properties(body.checks, ['database', 'redis', 's3', 'ffmpeg'])
    for (const check of Object.values(body.checks) as { ok: boolean }[]) assert.isTrue(check.ok)
  })

  test('a stopped S3 server makes /readyz answer 503 and name it', async ({ client, assert }) => {
    // A second, real S3 server that this test stops, so the shared one stays up.
    const stop = await startS3Server(4599)
    const logger = await app.container.make('logger')
    const config = app.config.get<any>('athera').storage
    const storage = new StorageService({ ...config, port: 4599 }, logger)
    await storage.ensureBuckets()
    app.container.swap(HealthService, () => new HealthService(storage))

    const before = await client.get('/readyz')
    before.assertStatus(200)

    await stop()
    const after = await client.get('/readyz')
    after.assertStatus(503)
    const body = after.body()
    assert.isFalse(body.ready)
    assert.isFalse(body.checks.s3.ok)
    assert.match(body.checks.s3.error, /ECONNREFUSED|socket|connect/i)
    assert.isTrue(body.checks.database.ok)
  })

  test('unreachable database and Redis, and a missing ffmpeg, are reported', async ({
    client,
    assert,
  }) => {
    const storage = await app.container.make(StorageService)
    const health = new HealthService(storage)
    health.probes.database = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1'))
    health.probes.redis = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:2'))
    health.probes.ffmpeg = () => probeBinary('/nonexistent/ffmpeg')
    app.container.swap(HealthService, () => health)

    const response = await client.get('/readyz')
    response.assertStatus(503)
    const { checks } = response.body()
    assert.isFalse(checks.database.ok)
    assert.isFalse(checks.redis.ok)
    assert.isFalse(checks.ffmpeg.ok)
    assert.include(checks.ffmpeg.error, '/nonexistent/ffmpeg')
    assert.isTrue(checks.s3.ok)
  })
})
