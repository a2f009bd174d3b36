import { test } from '@japa/runner'
import { Queue, QueueEvents } from 'bullmq'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import testUtils from '@adonisjs/core/services/test_utils'
import { QueueService } from '#app/core/queue_service'
import { registry, type JobRegistry } from '#jobs/registry'
import { makeUser } from '#tests/helpers/users'

function connection() {
  const redis = app.config.get<any>('redis').connections.main
  return { host: redis.host, port: redis.port, db: redis.db, maxRetriesPerRequest: null }
}

test.group('Job queue', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a dispatched job is worked by the in-process worker', async ({ assert }) => {
    const logger = await app.container.make('logger')
    const prefix = `athera-test-${Date.now()}`
    const queue = new QueueService(
      { connection: connection(), prefix, concurrency: 1, registry },
      logger
    )
    const user = await makeUser('creator')
    await db.table('password_reset_tokens').insert({
      user_id: user.id,
      token_hash: 'a'.repeat(64),
      expires_at: new Date(Date.now() - 60_000),
    })

    const events = new QueueEvents('purge-expired-tokens', { connection: connection(), prefix })
    await events.waitUntilReady()
    await queue.startWorker()
    const jobId = await queue.dispatch('purge-expired-tokens', {})
    const job = await queue.queue('purge-expired-tokens').getJob(jobId)
    await job!.waitUntilFinished(events, 15_000)

    const left = await db
      .from('password_reset_tokens')
      .where('user_id', user.id)
      .count('* as total')
      .first()
    assert.equal(Number(left.total), 0)
    await events.close()
    await queue.close()
  })

  test('close() lets the running job finish before returning (graceful drain on SIGTERM)', async ({
    assert,
  }) => {
    const logger = await app.container.make('logger')
    const prefix = `athera-drain-${Date.now()}`
    const steps: string[] = []
    let markStarted: () => void
    const started = new Promise<void>((resolve) => (markStarted = resolve))
    class SlowJob {
      async handle() {
        steps.push('started')
        markStarted()
        await new Promise((resolve) => setTimeout(resolve, 800))
        steps.push('finished')
      }
    }
    const fakeRegistry: JobRegistry = {
      handlers: { slow: async () => ({ default: SlowJob }) },
      options: { slow: { defaults: { attempts: 1 }, concurrency: () => 1 } },
      schedules: [],
    }
    const service = new QueueService(
      { connection: connection(), prefix, concurrency: 1, registry: fakeRegistry },
      logger
    )
    await service.startWorker()
    await service.queue('slow').add('slow', {})
    await started

    await service.close()
    steps.push('closed')

    assert.deepEqual(steps, ['started', 'finished', 'closed'])
    const check = new Queue('slow', { connection: connection(), prefix })
    assert.equal(await check.getCompletedCount(), 1)
    await check.obliterate({ force: true })
    await check.close()
  })

  test('the provider drains the application queue service on shutdown', async ({ assert }) => {
    const service = await app.container.make(QueueService)
    assert.instanceOf(service, QueueService)
    // Closing twice is safe: SIGTERM may arrive while a shutdown is already running.
    await Promise.all([service.close(), service.close()])
    assert.isFalse(service.isWorking)
  })
})
