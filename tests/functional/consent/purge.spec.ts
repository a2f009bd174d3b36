import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import ClipAsset from '#models/clip_asset'
import PurgeWithdrawnClip from '#jobs/purge_withdrawn_clip'
import { StorageService } from '#app/core/storage_service'
import { ClipFactory } from '#database/factories/clip_factory'
import { isolate } from '#tests/helpers/reset'
import type { JobContext } from '#jobs/registry'

const context: JobContext = {
  jobId: 'test',
  attempt: 1,
  finalAttempt: true,
  reportProgress: async () => {},
}

async function storedAsset(clipId: string, kind: 'raw' | 'thumbnail', bucket: 'raw' | 'previews') {
  const storage = await app.container.make(StorageService)
  const key = `clips/${clipId}/${kind}`
  await storage.putStream(bucket, key, Buffer.from(`${kind} bytes`))
  await ClipAsset.create({
    clipId,
    kind,
    bucket,
    key,
    bytes: 9,
    sha256: 'c'.repeat(64),
    contentType: 'application/octet-stream',
  })
  return { storage, key }
}

test.group('Consent: purging a withdrawn clip', (group) => {
  group.each.setup(isolate)

  test('deletes every stored object and asset row of a withdrawn clip, and can run again', async ({
    assert,
  }) => {
    const clip = await ClipFactory.apply('withdrawn').create()
    const raw = await storedAsset(clip.id, 'raw', 'raw')
    const thumb = await storedAsset(clip.id, 'thumbnail', 'previews')
    const handler = await app.container.make(PurgeWithdrawnClip)

    await handler.handle({ clipId: clip.id }, context)

    assert.isNull(await raw.storage.stat('raw', raw.key))
    assert.isNull(await thumb.storage.stat('previews', thumb.key))
    assert.lengthOf(await ClipAsset.query().where('clip_id', clip.id), 0)
    // The clip row stays: its consent history points at it.
    await clip.refresh()
    assert.equal(clip.status, 'withdrawn')

    await handler.handle({ clipId: clip.id }, { ...context, attempt: 2 })
  })

  test('tolerates an object already gone', async ({ assert }) => {
    const clip = await ClipFactory.apply('withdrawn').create()
    const raw = await storedAsset(clip.id, 'raw', 'raw')
    await raw.storage.remove('raw', raw.key)

    const purgeWithdrawnClip = await app.container.make(PurgeWithdrawnClip)
    await purgeWithdrawnClip.handle({ clipId: clip.id }, context)

    assert.lengthOf(await ClipAsset.query().where('clip_id', clip.id), 0)
  })

  test('leaves a clip that is not withdrawn untouched', async ({ assert }) => {
    const clip = await ClipFactory.apply('approved').create()
    const raw = await storedAsset(clip.id, 'raw', 'raw')

    const purgeWithdrawnClip = await app.container.make(PurgeWithdrawnClip)
    await purgeWithdrawnClip.handle({ clipId: clip.id }, context)

    assert.isNotNull(await raw.storage.stat('raw', raw.key))
    assert.lengthOf(await ClipAsset.query().where('clip_id', clip.id), 1)
    await raw.storage.remove('raw', raw.key)
  })
})
