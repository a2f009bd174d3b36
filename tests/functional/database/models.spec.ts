import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Clip from '#models/clip'
import DatasetVersion from '#models/dataset_version'
import ProcessingRun from '#models/processing_run'
import Setting from '#models/setting'
import WebhookEvent from '#models/webhook_event'
import { ClipFactory } from '#database/factories/clip_factory'
import { DatasetFactory } from '#database/factories/dataset_factory'
import { UserFactory } from '#database/factories/user_factory'

test.group('Model columns', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('jsonb columns round-trip objects, arrays and strings', async ({ assert }) => {
    const dataset = await DatasetFactory.create()
    const manifest = { clips: [{ id: 'a', files: ['x.mp4', 'y.json'] }], note: 'ünïcode' }
    const version = await DatasetVersion.create({
      datasetId: dataset.id,
      version: 1,
      manifest,
      manifestSha256: 'b'.repeat(64),
      stats: { clips: 1, duration_ms: 1000, people: 2, keypoint_frames: 30 },
      priceCents: 0,
      currency: 'USD',
      licenceType: 'research',
    })
    await Setting.create({ key: 'test_list', value: ['football', 'tennis'] })
    await Setting.create({ key: 'test_string', value: 'Athera' })
    await WebhookEvent.create({
      stripeEventId: 'evt_1',
      type: 'checkout.session.completed',
      payload: { data: [1, 2] },
    })

    const reloaded = await DatasetVersion.findOrFail(version.id)
    assert.deepEqual(reloaded.manifest, manifest)
    assert.equal(reloaded.stats.people, 2)
    const list = await Setting.findOrFail('test_list')
    assert.deepEqual(list.value, ['football', 'tennis'])
    const text = await Setting.findOrFail('test_string')
    assert.equal(text.value, 'Athera')
    const event = await WebhookEvent.findByOrFail('stripeEventId', 'evt_1')
    assert.deepEqual(event.payload, { data: [1, 2] })
  })

  test('clips get a uuid, column defaults, array tags and numeric sizes', async ({ assert }) => {
    const clip = await ClipFactory.apply('processed')
      .merge({ tags: ['football', 'penalty kick'], bytes: 123456789 })
      .create()
    await ProcessingRun.create({ clipId: clip.id, attempt: 1, stepTimings: { probe: 12 } })

    assert.match(clip.id, /^[0-9a-f-]{36}$/)
    const reloaded = await Clip.query()
      .where('id', clip.id)
      .preload('processingRuns')
      .preload('consentRecords')
      .firstOrFail()
    assert.deepEqual(reloaded.tags, ['football', 'penalty kick'])
    assert.strictEqual(reloaded.bytes, 123456789)
    assert.strictEqual(reloaded.fps, 30)
    assert.equal(reloaded.status, 'processed')
    assert.deepEqual(reloaded.processingRuns[0].stepTimings, { probe: 12 })
    assert.equal(reloaded.processingRuns[0].status, 'running')
    assert.deepEqual(
      reloaded.consentRecords.map((record) => record.id),
      [clip.consentRecordId]
    )
  })

  test('a creator cannot upload the same file twice unless the first was withdrawn', async ({
    assert,
  }) => {
    const creator = await UserFactory.apply('creator').create()
    const sha256 = 'c'.repeat(64)
    const first = await ClipFactory.merge({ userId: creator.id, sha256 }).create()

    await assert.rejects(
      () => ClipFactory.merge({ userId: creator.id, sha256 }).create(),
      /clips_user_sha256_active_unique/
    )

    first.merge({ status: 'withdrawn', withdrawnAt: first.createdAt })
    await first.save()
    const again = await ClipFactory.merge({ userId: creator.id, sha256 }).create()
    assert.equal(again.sha256, sha256)
  })

  test('user relations reach clips, consent and datasets', async ({ assert }) => {
    const clip = await ClipFactory.create()
    await DatasetFactory.merge({ ownerId: clip.userId }).create()

    const user = await clip.related('user').query().firstOrFail()
    // One at a time: parallel preloads share the test's single transaction connection.
    await user.load('clips')
    await user.load('consentRecords')
    await user.load('datasets')
    assert.lengthOf(user.clips, 1)
    assert.lengthOf(user.consentRecords, 1)
    assert.lengthOf(user.datasets, 1)
  })
})
