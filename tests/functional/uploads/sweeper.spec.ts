import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:net'
import { mkdir, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import config from '#config/athera'
import Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import { QueueService } from '#app/core/queue_service'
import { registry } from '#jobs/registry'
import { StorageService } from '#app/core/storage_service'
import { UploadSweepService } from '#app/uploads/upload_sweep_service'
import { ClipFactory } from '#database/factories/clip_factory'
import { ConsentRecordFactory } from '#database/factories/consent_record_factory'
import { isolate } from '#tests/helpers/reset'
import { makeUser, TEST_PASSWORD } from '#tests/helpers/users'
import { HttpSession } from '#tests/helpers/http_session'
import { TusClient } from '#tests/helpers/tus'
import { sharedClips, sharedMediaAvailable, SKIP_WITHOUT_MEDIA } from '#tests/helpers/media'

/** A loopback port nothing listens on: Redis "down" for whoever points there. */
async function closedPort() {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/**
 * The application's queue service as the provider builds it, but with Redis unreachable:
 * the worker connection retries forever (as BullMQ requires), the producer fails fast.
 */
async function queueWithRedisDown() {
  const port = await closedPort()
  const logger = await app.container.make('logger')
  const queue = new QueueService(
    {
      connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null },
      producerConnection: {
        host: '127.0.0.1',
        port,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        connectTimeout: 1000,
      },
      prefix: `athera-down-${Date.now()}`,
      concurrency: 1,
      registry,
    },
    logger
  )
  app.container.swap(QueueService, () => queue)
  return async () => {
    app.container.restore(QueueService)
    await Promise.race([queue.close(), new Promise((resolve) => setTimeout(resolve, 2000))])
  }
}

async function jobsFor(clipId: string) {
  const queueService = await app.container.make(QueueService)
  const queue = queueService.queue('process-clip')
  const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized'])
  return jobs.filter((job) => job?.data?.clipId === clipId)
}

async function cleanStorage() {
  const storage = await app.container.make(StorageService)
  await storage.empty('raw')
  await rm(config.uploads.stagingDir, { recursive: true, force: true })
}

test.group('Stuck clips and hanging requests (issue 22, defect 8)', (group) => {
  group.each.setup(isolate)
  group.each.setup(cleanStorage)

  test('an upload whose job dispatch failed is stored, and the sweeper queues its clip once', async ({
    assert,
    cleanup,
  }) => {
    const user = await makeUser('creator')
    const grant = await ConsentRecordFactory.merge({ userId: user.id }).create()
    const tus = new TusClient(await HttpSession.login(user.email, TEST_PASSWORD))
    const path = sharedClips()[0]

    const restore = await queueWithRedisDown()
    const started = performance.now()
    const { last } = await tus.upload(await readFile(path), {
      consentId: grant.id,
      filename: basename(path),
      title: 'Redis down',
      sport: 'football',
    })
    await restore()
    assert.equal(last!.status, 204, last!.text)
    assert.isBelow(performance.now() - started, 15_000, 'the upload did not hang on Redis')
    const clip = await Clip.findOrFail(last!.clipId)
    cleanup(async () => {
      for (const job of await jobsFor(clip.id)) await job.remove()
    })
    assert.equal(clip.status, 'uploaded')
    assert.lengthOf(await jobsFor(clip.id), 0, 'no job was queued while Redis was down')

    // Then: the sweeper finds it once it has waited long enough, and queues it under the upload's job id.
    const sweeper = await app.container.make(UploadSweepService)
    assert.equal(
      await sweeper.requeueStuckClips(),
      0,
      'a fresh clip may still be dispatched: left alone'
    )
    await db
      .from('clips')
      .where('id', clip.id)
      .update({ updated_at: new Date(Date.now() - 10 * 60_000) })
    assert.equal(await sweeper.requeueStuckClips(), 1)
    assert.equal(await sweeper.requeueStuckClips(), 0, 'never twice')
    const jobs = await jobsFor(clip.id)
    assert.deepEqual(
      jobs.map((job) => job.id),
      [`process-clip-${clip.id}`]
    )
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(60_000)

  test('a clip with a live retry job is not queued a second time', async ({ assert, cleanup }) => {
    const clip = await ClipFactory.merge({ status: 'uploaded' }).create()
    await db
      .from('clips')
      .where('id', clip.id)
      .update({ updated_at: new Date(Date.now() - 10 * 60_000) })
    const queue = await app.container.make(QueueService)
    await queue.dispatch(
      'process-clip',
      { clipId: clip.id },
      { jobId: `process-clip-${clip.id}-retry-1`, delayMs: 60_000 }
    )
    cleanup(async () => {
      for (const job of await jobsFor(clip.id)) await job.remove()
    })
    const sweeper = await app.container.make(UploadSweepService)
    assert.equal(await sweeper.requeueStuckClips(), 0)
    assert.lengthOf(await jobsFor(clip.id), 1)
  })

  test('with Redis unreachable for producers, a POST that queues a job answers 503 with a sentence in seconds and changes nothing', async ({
    client,
    assert,
    cleanup,
  }) => {
    const creator = await makeUser('creator')
    const clip = await ClipFactory.apply('failed').merge({ userId: creator.id }).create()
    cleanup(await queueWithRedisDown())

    const started = performance.now()
    const response = await client
      .post(`/clips/${clip.id}/retry`)
      .form({ from: 'list' })
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    assert.isBelow(performance.now() - started, 5_000)
    response.assertStatus(503)
    assert.include(
      response.text(),
      'The processing queue cannot be reached right now, so the clip stays failed. Try again in a minute.'
    )
    const unchanged = await Clip.findOrFail(clip.id)
    assert.equal(unchanged.status, 'failed')
    assert.equal(unchanged.statusReason, clip.statusReason)
  }).timeout(20_000)
})

test.group('Upload sweeper: orphaned files and originals (issue 22, defect 12)', (group) => {
  group.each.setup(isolate)
  group.each.setup(cleanStorage)

  test('removes old staged files and unreferenced originals, keeps the rest, and the admin dashboard shows it', async ({
    client,
    assert,
  }) => {
    await mkdir(config.uploads.stagingDir, { recursive: true })
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000)
    const orphan = join(config.uploads.stagingDir, `${randomUUID()}.part`)
    const young = join(config.uploads.stagingDir, `${randomUUID()}.part`)
    await writeFile(orphan, Buffer.alloc(1500))
    await utimes(orphan, twoHoursAgo, twoHoursAgo)
    await writeFile(young, Buffer.alloc(10))
    // A receiving upload's staged file is kept whatever its age.
    const user = await makeUser('creator')
    const grant = await ConsentRecordFactory.merge({ userId: user.id }).create()
    const receiving = await db
      .table('uploads')
      .insert({
        id: randomUUID(),
        user_id: user.id,
        consent_record_id: grant.id,
        filename: 'a.mp4',
        length: 100,
        offset: 10,
        metadata: JSON.stringify({}),
        status: 'receiving',
        expires_at: new Date(Date.now() + 3600_000),
      })
      .returning('id')
    const kept = join(config.uploads.stagingDir, `${receiving[0].id}.part`)
    await writeFile(kept, Buffer.alloc(10))
    await utimes(kept, twoHoursAgo, twoHoursAgo)

    const storage = await app.container.make(StorageService)
    const clip = await ClipFactory.create()
    const referenced = `clips/${clip.id}/original`
    await storage.putStream('raw', referenced, Buffer.alloc(100), 100)
    await ClipAsset.create({
      clipId: clip.id,
      kind: 'raw',
      bucket: 'raw',
      key: referenced,
      bytes: 100,
      sha256: 'a'.repeat(64),
      contentType: 'video/mp4',
    })
    const unreferenced = `clips/${randomUUID()}/original`
    await storage.putStream('raw', unreferenced, Buffer.alloc(2048), 2048)

    const sweeper = await app.container.make(UploadSweepService)
    // Objects just written are too young for the default safety age: nothing removed.
    const removed = await sweeper.removeOrphanedOriginals()
    assert.equal(removed.objects, 0)
    const result = await sweeper.run({ safetyAgeMs: 60 * 60_000 })
    assert.deepInclude(result, { stagedFiles: 1, stagedBytes: 1500, rawObjects: 0 })
    assert.sameMembers(await readdir(config.uploads.stagingDir), [basename(young), basename(kept)])
    // With no safety age, the young orphan goes too; what a row references never does.
    const later = await sweeper.run({ safetyAgeMs: 0 })
    assert.deepInclude(later, { stagedFiles: 1, stagedBytes: 10, rawObjects: 1, rawBytes: 2048 })
    assert.deepEqual(await readdir(config.uploads.stagingDir), [basename(kept)])
    assert.deepEqual(await storage.list('raw', 'clips/'), [referenced])

    const page = await client.get('/admin').loginAs(await makeUser('admin'))
    page.assertStatus(200)
    const html = page.text()
    assert.include(html, 'Upload sweeper')
    assert.match(html, /Unreferenced originals removed<\/td>\s*<td>1 \(2\.0 KB\)<\/td>/)
    assert.match(
      html,
      /Staged upload files removed<\/td>\s*<td>1 \(10 bytes\)<\/td>\s*<td>2 \(1\.5 KB\)<\/td>/
    )
  })
})
