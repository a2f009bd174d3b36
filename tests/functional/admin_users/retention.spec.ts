import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import AuditLog from '#models/audit_log'
import type Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import PurgeExpiredOriginals from '#jobs/purge_expired_originals'
import { registry, type JobContext } from '#jobs/registry'
import { SettingsStore } from '#app/core/settings_store'
import { StorageService } from '#app/core/storage_service'
import { ClipFactory } from '#database/factories/clip_factory'
import { isolate } from '#tests/helpers/reset'

const context: JobContext = {
  jobId: 'test',
  attempt: 1,
  finalAttempt: true,
  reportProgress: async () => {},
}

/** Stores an object for the clip's asset of `kind`, uploaded `daysAgo` days ago. */
async function stored(clip: Clip, kind: 'raw' | 'video', daysAgo: number) {
  const storage = await app.container.make(StorageService)
  const bucket = kind === 'raw' ? 'raw' : 'processed'
  const key = `clips/${clip.id}/${kind}`
  await storage.putStream(bucket, key, Buffer.from(`${kind} of ${clip.id}`))
  await ClipAsset.create({
    clipId: clip.id,
    kind,
    bucket,
    key,
    bytes: 12,
    sha256: 'a'.repeat(64),
    contentType: 'video/mp4',
    createdAt: DateTime.now().minus({ days: daysAgo }),
  })
  return { bucket, key } as const
}

async function exists(object: { bucket: 'raw' | 'processed'; key: string }) {
  const storage = await app.container.make(StorageService)
  return (await storage.stat(object.bucket, object.key)) !== null
}

async function purge() {
  SettingsStore.clearCache()
  const purgeExpiredOriginals = await app.container.make(PurgeExpiredOriginals)
  await purgeExpiredOriginals.handle({}, context)
}

test.group('Raw-upload retention', (group) => {
  group.each.setup(isolate)

  test('deletes only the old originals of clips past processing, audited as the system, and can run again', async ({
    assert,
  }) => {
    await new SettingsStore().set('raw_retention_days', 30)
    const oldApproved = await ClipFactory.apply('approved').create()
    const oldRejected = await ClipFactory.apply('rejected').create()
    const oldProcessed = await ClipFactory.apply('processed').create()
    const recent = await ClipFactory.apply('approved').create()
    const oldFailed = await ClipFactory.apply('failed').create()
    const oldUploaded = await ClipFactory.create()

    const expired = [
      await stored(oldApproved, 'raw', 31),
      await stored(oldRejected, 'raw', 45),
      await stored(oldProcessed, 'raw', 400),
    ]
    const video = await stored(oldApproved, 'video', 31)
    const kept = [
      await stored(recent, 'raw', 29),
      await stored(oldFailed, 'raw', 90),
      await stored(oldUploaded, 'raw', 90),
    ]

    await purge()

    for (const object of expired) assert.isFalse(await exists(object), `${object.key} deleted`)
    for (const object of [...kept, video]) assert.isTrue(await exists(object), `${object.key} kept`)
    const rawLeft = await ClipAsset.query().where('kind', 'raw').orderBy('clip_id')
    assert.sameMembers(
      rawLeft.map((asset) => asset.clipId),
      [recent.id, oldFailed.id, oldUploaded.id]
    )
    assert.lengthOf(await ClipAsset.query().where('kind', 'video'), 1)

    const entries = await AuditLog.query().where('action', 'clip.raw_purged')
    assert.sameMembers(
      entries.map((entry) => entry.subjectId),
      [oldApproved.id, oldRejected.id, oldProcessed.id]
    )
    for (const entry of entries) {
      assert.isNull(entry.actorId)
      assert.equal(entry.subjectType, 'clip')
      assert.deepInclude(entry.meta, { retentionDays: 30, key: `clips/${entry.subjectId}/raw` })
    }

    await purge()
    assert.lengthOf(await AuditLog.query().where('action', 'clip.raw_purged'), 3)
  })

  test('an original already gone from storage still has its row removed', async ({ assert }) => {
    await new SettingsStore().set('raw_retention_days', 7)
    const clip = await ClipFactory.apply('approved').create()
    const object = await stored(clip, 'raw', 8)
    const storageService = await app.container.make(StorageService)
    await storageService.remove(object.bucket, object.key)

    await purge()

    assert.lengthOf(await ClipAsset.query().where('clip_id', clip.id), 0)
    assert.lengthOf(await AuditLog.query().where('action', 'clip.raw_purged'), 1)
  })

  test('0 keeps every original', async ({ assert }) => {
    const clip = await ClipFactory.apply('approved').create()
    const object = await stored(clip, 'raw', 5000)

    await purge()

    assert.isTrue(await exists(object))
    assert.lengthOf(await ClipAsset.query().where('clip_id', clip.id), 1)
    assert.lengthOf(await AuditLog.all(), 0)
  })

  test('runs every hour on the worker', async ({ assert }) => {
    assert.deepInclude(registry.schedules, {
      name: 'purge-expired-originals',
      everyMs: 60 * 60 * 1000,
    })
    assert.equal(registry.options['purge-expired-originals'].concurrency(4), 1)
  })
})
