import { test } from '@japa/runner'
import { createHash } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import User from '#models/user'
import type { JobContext } from '#jobs/registry'
import { ClipProcessingService } from '#app/processing/clip_processing_service'
import { StorageService, type BucketName } from '#app/core/storage_service'
import { makeUser } from '#tests/helpers/users'
import { uploadedClip } from '#tests/helpers/clips'
import { sharedMediaAvailable, shortClip, SKIP_WITHOUT_MEDIA } from '#tests/helpers/media'

function context(jobId: string, onProgress: (percent: number) => void = () => {}): JobContext {
  return {
    jobId,
    attempt: 1,
    finalAttempt: true,
    reportProgress: async (percent) => onProgress(percent),
  }
}

async function sha256Of(bucket: BucketName, key: string) {
  const storage = await app.container.make(StorageService)
  const hash = createHash('sha256')
  for await (const chunk of await storage.getStream(bucket, key)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

test.group('process-clip: two runs of one clip at once', () => {
  test('one set of assets, every object present and hashed as the database says, nothing orphaned', async ({
    assert,
    cleanup,
  }) => {
    // Committed data: each run publishes in its own transaction under a row lock, as two workers would.
    const creator = await makeUser('creator')
    const { clip } = await uploadedClip(creator, shortClip())
    cleanup(async () => {
      await db.from('clips').where('id', clip.id).delete()
      await User.query().where('id', creator.id).update({ suspended_at: new Date() })
    })
    const first = await app.container.make(ClipProcessingService)
    const second = await app.container.make(ClipProcessingService)

    // A stalled-job redelivery while the first run still works: the same job again, once the first got going.
    let redelivered: Promise<void> | undefined
    const firstRun = first.process(
      clip.id,
      context('dup', (percent) => {
        if (percent > 0) redelivered ??= second.process(clip.id, context('dup'))
      })
    )
    const secondRun = (async () => {
      await firstRun.catch(() => {})
      await redelivered
    })()
    const outcomes = await Promise.allSettled([firstRun, secondRun])
    assert.isDefined(redelivered, 'the second run started while the first worked')
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'fulfilled'],
      String(outcomes.find((o) => o.status === 'rejected')?.reason)
    )

    const row = await Clip.findOrFail(clip.id)
    assert.equal(row.status, 'processed')
    const assets = await ClipAsset.query().where('clip_id', clip.id)
    assert.sameMembers(
      assets.map((asset) => asset.kind),
      ['raw', 'video', 'keypoints', 'regions', 'metadata', 'thumbnail', 'preview']
    )
    for (const asset of assets) {
      assert.equal(
        await sha256Of(asset.bucket as BucketName, asset.key),
        asset.sha256,
        `${asset.kind} is stored as the database says`
      )
    }
    const storage = await app.container.make(StorageService)
    const stored = [
      ...(await storage.list('processed', `clips/${clip.id}/`)),
      ...(await storage.list('previews', `clips/${clip.id}/`)),
    ].sort()
    const published = assets
      .filter((asset) => asset.kind !== 'raw')
      .map((asset) => asset.key)
      .sort()
    assert.deepEqual(stored, published, 'every stored object is a published asset')
    const runs = await db.from('processing_runs').where('clip_id', clip.id)
    assert.equal(runs.filter((run) => run.status === 'succeeded').length, 1)
    assert.equal(runs.filter((run) => run.status === 'running').length, 0)
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(240_000)
})
