import { test } from '@japa/runner'
import { Readable } from 'node:stream'
import app from '@adonisjs/core/services/app'
import Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import Dataset from '#models/dataset'
import { countKeypointsStream } from '#app/datasets/keypoint_count'
import { sampleMetadataReads } from '#app/catalog/catalog_caches'
import { StorageService } from '#app/core/storage_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import {
  approvedClipWithAssets,
  draftDataset,
  fakeKeypoints,
  publishWith,
} from '#tests/helpers/catalog'

/** keypoints.json in the pipeline's layout: a header line, one frame per line, the count. */
function pipelineLayout(document: ReturnType<typeof fakeKeypoints>) {
  const { frames, frameCount, ...header } = document
  const lines = frames.map((frame, index) => `${index ? ',\n' : ''}${JSON.stringify(frame)}`)
  return `${JSON.stringify(header).slice(0, -1)},"frames":[\n${lines.join('')}\n],"frameCount":${frameCount}}\n`
}

/** `text` in chunks of `size` bytes: lines cut anywhere, as storage streams them. */
function chunked(text: string, size: number) {
  const bytes = Buffer.from(text)
  const chunks: Buffer[] = []
  for (let offset = 0; offset < bytes.length; offset += size)
    chunks.push(bytes.subarray(offset, offset + size))
  return Readable.from(chunks)
}

test.group('Publishing: keypoint counts without reading keypoints.json whole', (group) => {
  group.each.setup(isolate)

  test('counts the pipeline recorded are used: keypoints.json is not read at all', async ({
    assert,
  }) => {
    const creator = await makeUser('creator')
    const clip = await approvedClipWithAssets(creator, { durationMs: 10_000 })
    await Clip.query().where('id', clip.id).update({
      keypoint_people: 7,
      keypoint_frames: 11,
      keypoint_frame_count: 300,
      keypoint_fps: 30,
    })
    // Gone from storage: publishing that still downloaded it would leave the clip out.
    const keypoints = await ClipAsset.query()
      .where('clip_id', clip.id)
      .where('kind', 'keypoints')
      .firstOrFail()
    const storage = await app.container.make(StorageService)
    await storage.remove('processed', keypoints.key)

    const version = await publishWith(await draftDataset(creator), creator, [clip])
    assert.deepEqual(version.stats, {
      clips: 1,
      duration_ms: 10_000,
      people: 7,
      keypoint_frames: 11,
    })
  })

  test('clips processed before the counts were recorded are counted by streaming, in any chunking', async ({
    assert,
  }) => {
    const document = fakeKeypoints('clip', 41, 3)
    for (const size of [1, 7, 4096]) {
      const counts = await countKeypointsStream(chunked(pipelineLayout(document), size))
      // 3 tracks; every other frame has people (21 of 41).
      assert.deepEqual(
        counts,
        { people: 3, keypointFrames: 21, frameCount: 41, fps: 30 },
        `chunks of ${size}`
      )
    }
    // A whole document on one line (an older or hand-made file) still counts.
    assert.deepEqual(await countKeypointsStream(chunked(JSON.stringify(document), 100)), {
      people: 3,
      keypointFrames: 21,
      frameCount: 41,
      fps: 30,
    })
  })

  test('a published clip without recorded counts is counted from its stored file', async ({
    assert,
  }) => {
    const creator = await makeUser('creator')
    const clip = await approvedClipWithAssets(
      creator,
      { durationMs: null },
      { frames: 30, people: 2 }
    )
    const storage = await app.container.make(StorageService)
    const keypoints = await ClipAsset.query()
      .where('clip_id', clip.id)
      .where('kind', 'keypoints')
      .firstOrFail()
    const text = pipelineLayout(fakeKeypoints(clip.id, 30, 2))
    await storage.putStream(
      'processed',
      keypoints.key,
      Buffer.from(text),
      Buffer.byteLength(text),
      { 'Content-Type': 'application/json' }
    )

    const version = await publishWith(await draftDataset(creator), creator, [clip])
    // Duration from the frames where the upload's is unknown: 30 frames at 30 fps.
    assert.deepEqual(version.stats, { clips: 1, duration_ms: 1000, people: 2, keypoint_frames: 15 })
  })

  test('the dataset page reads the sample metadata.json once, not on every request', async ({
    assert,
    client,
  }) => {
    const creator = await makeUser('creator')
    const clip = await approvedClipWithAssets(creator)
    const dataset = await draftDataset(creator)
    await publishWith(dataset, creator, [clip])
    const { slug } = await Dataset.findOrFail(dataset.id)

    const before = sampleMetadataReads.count
    for (let request = 0; request < 3; request++) {
      const page = await client.get(`/catalog/${slug}`)
      page.assertStatus(200)
      assert.include(
        page.text(),
        'athera-pipeline 1.4.0',
        'the page still shows what metadata.json says'
      )
    }
    assert.equal(sampleMetadataReads.count - before, 1)
  })
})
