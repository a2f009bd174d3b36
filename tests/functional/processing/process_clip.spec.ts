import { test } from '@japa/runner'
import { createHash } from 'node:crypto'
import { copyFile, mkdtemp, readFile, rm, truncate } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import Clip from '#models/clip'
import ProcessingRun from '#models/processing_run'
import type { JobContext } from '#jobs/registry'
import { ClipProcessingService, objectKey } from '#app/processing/clip_processing_service'
import { StorageService } from '#app/core/storage_service'
import { VisionService } from '#app/processing/vision_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { uploadedClip } from '#tests/helpers/clips'
import {
  sharedClips,
  sharedMediaAvailable,
  shortClip,
  SKIP_WITHOUT_MEDIA,
} from '#tests/helpers/media'
import { emptyBuckets } from '#tests/helpers/s3'
import { describeStall, watchEventLoop } from '#tests/helpers/event_loop'

function context(overrides: Partial<JobContext> = {}): JobContext & { progress: number[] } {
  const progress: number[] = []
  return {
    jobId: 'test-job',
    attempt: 1,
    finalAttempt: true,
    reportProgress: async (p) => void progress.push(p),
    progress,
    ...overrides,
  }
}

async function readObject(bucket: 'processed' | 'previews' | 'raw', key: string) {
  const storage = await app.container.make(StorageService)
  const chunks: Buffer[] = []
  for await (const chunk of await storage.getStream(bucket, key)) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

test.group('process-clip job', (group) => {
  group.each.setup(isolate)
  group.each.setup(emptyBuckets)

  test('an uploaded clip is processed: all assets published at once, with hashes and a run record', async ({
    assert,
    client,
  }) => {
    const creator = await makeUser('creator')
    const { clip } = await uploadedClip(creator, shortClip())
    const processing = await app.container.make(ClipProcessingService)
    const ctx = context()

    const { stall } = await watchEventLoop(() => processing.process(clip.id, ctx))

    await clip.refresh()
    assert.equal(clip.status, 'processed')
    assert.equal(clip.progress, 100)
    await clip.load('assets')
    assert.sameMembers(
      clip.assets.map((asset) => asset.kind),
      ['raw', 'video', 'keypoints', 'regions', 'metadata', 'thumbnail', 'preview']
    )
    for (const asset of clip.assets.filter((item) => item.kind !== 'raw')) {
      assert.equal(asset.key, objectKey(clip.id, asset.kind as any, asset.sha256))
      const bytes = await readObject(asset.bucket as any, asset.key)
      assert.equal(
        createHash('sha256').update(bytes).digest('hex'),
        asset.sha256,
        `${asset.kind} stored as hashed`
      )
    }
    const metadataAsset = clip.assets.find((asset) => asset.kind === 'metadata')!
    const metadataBytes = await readObject('processed', metadataAsset.key)
    const metadata = JSON.parse(metadataBytes.toString())
    assert.equal(metadata.clipId, clip.id)
    const runs = await ProcessingRun.query().where('clip_id', clip.id)
    assert.lengthOf(runs, 1)
    assert.equal(runs[0].status, 'succeeded')
    assert.properties(runs[0].stepTimings, ['download', 'standardize', 'store'])
    // Publishing a dataset reads these, never keypoints.json.
    assert.isAtLeast(clip.keypointPeople!, 2)
    assert.isAbove(clip.keypointFrames!, 0)
    assert.isAtLeast(clip.keypointFrameCount!, clip.keypointFrames!)
    assert.equal(clip.keypointFps, 30)
    // The QA report's risk score is copied onto the clip, so the queue sorts by it in SQL.
    const risk = metadata.anonymization.anonymize.risk
    assert.isNumber(risk.score)
    assert.isAtLeast(risk.score, 0)
    assert.isAtMost(risk.score, 100)
    assert.equal(clip.riskScore, risk.score)
    assert.deepEqual(
      clip.riskReasons,
      risk.reasons.map(({ code, message, weight, times }: any) => ({
        code,
        message,
        weight,
        times,
      }))
    )
    assert.isAbove(ctx.progress.length, 1, 'progress was reported')
    // The worker runs in the web process by default: processing must not hold its event loop.
    assert.isBelow(stall.busyMs, 200, describeStall(stall))

    // The clip page plays the processed video and links its JSON files.
    const page = await client.get(`/clips/${clip.id}`).loginAs(creator)
    page.assertStatus(200)
    assert.include(page.text(), 'data-testid="processed-video"')
    assert.match(page.text(), /clips\/[0-9a-f-]+\/[0-9a-f]{16}\/video\.mp4\?X-Amz-/)
    assert.include(page.text(), 'keypoints.json')
    assert.include(page.text(), `data-keypoints-url="/clips/${clip.id}/keypoints.json"`)

    // The skeleton overlay reads the keypoints from our own origin: both people, 33 points each.
    const keypoints = await client.get(`/clips/${clip.id}/keypoints.json`).loginAs(creator)
    keypoints.assertStatus(200)
    assert.match(keypoints.header('content-type') ?? '', /application\/json/)
    const body = JSON.parse(keypoints.text())
    assert.equal(body.clipId, clip.id)
    assert.isAtLeast(Math.max(...body.frames.map((frame: any) => frame.people.length)), 2)
    assert.lengthOf(body.frames[0].people[0].keypoints, 33)
    assert.include(
      metadata.models.map((model: any) => model.name),
      'anonymize'
    )
    assert.isAbove(
      metadata.anonymization.anonymize.detectedFaces,
      0,
      'faces were found and blurred'
    )
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(120_000)

  test('running the job again on a processed clip changes nothing', async ({ assert }) => {
    const creator = await makeUser('creator')
    const { clip } = await uploadedClip(creator, shortClip())
    const processing = await app.container.make(ClipProcessingService)
    await processing.process(clip.id, context())
    await clip.load('assets')
    const before = clip.assets.map((asset) => `${asset.kind}:${asset.sha256}`).sort()
    await processing.process(clip.id, context())
    await clip.load('assets')
    assert.deepEqual(clip.assets.map((asset) => `${asset.kind}:${asset.sha256}`).sort(), before)
    assert.lengthOf(await ProcessingRun.query().where('clip_id', clip.id), 1)
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(120_000)

  test('a corrupt original fails with a clear reason after its last attempt', async ({
    assert,
  }) => {
    const work = await mkdtemp(join(tmpdir(), 'athera-corrupt-'))
    const broken = join(work, 'broken.mp4')
    await copyFile(sharedClips()[0], broken)
    const bytes = await readFile(broken)
    const size = bytes.length
    await truncate(broken, Math.floor(size * 0.5))
    const creator = await makeUser('creator')
    const { clip } = await uploadedClip(creator, broken)
    const processing = await app.container.make(ClipProcessingService)

    await assert.rejects(() => processing.process(clip.id, context({ finalAttempt: false })))
    await clip.refresh()
    assert.equal(clip.status, 'processing', 'an attempt with retries left does not fail the clip')

    await assert.rejects(() => processing.process(clip.id, context({ attempt: 2 })))
    await clip.refresh()
    assert.equal(clip.status, 'failed')
    assert.isNotEmpty(clip.statusReason)
    assert.isNotNull(clip.failedStep)
    const runs = await ProcessingRun.query().where('clip_id', clip.id).orderBy('attempt')
    assert.deepEqual(
      runs.map((run) => [run.attempt, run.status]),
      [
        [1, 'failed'],
        [2, 'failed'],
      ]
    )
    assert.isNotEmpty(runs[1].errorMessage)

    // Nothing half-published, nothing left in the processed buckets.
    await clip.load('assets')
    assert.deepEqual(
      clip.assets.map((asset) => asset.kind),
      ['raw']
    )
    await rm(work, { recursive: true, force: true })
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(120_000)

  test('a failed clip retried from the page resumes at the failed step', async ({
    assert,
    client,
  }) => {
    const creator = await makeUser('creator')
    const { clip } = await uploadedClip(creator, shortClip())
    const logger = await app.container.make('logger')
    const storage = await app.container.make(StorageService)
    // Object storage refuses writes during the first run: the pipeline's work is done, storing fails.
    class ReadOnlyStorage extends StorageService {
      async putFile(): Promise<never> {
        throw new Error('S3 is read-only right now')
      }
    }
    const failing = new ClipProcessingService(
      new ReadOnlyStorage(app.config.get<any>('athera').storage, logger),
      new VisionService()
    )
    await assert.rejects(() => failing.process(clip.id, context()))
    await clip.refresh()
    assert.equal(clip.status, 'failed')
    assert.equal(clip.failedStep, 'store')

    const retry = await client
      .post(`/clips/${clip.id}/retry`)
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    assert.oneOf(retry.status(), [302, 303])
    await clip.refresh()
    assert.equal(clip.status, 'uploaded')

    await new ClipProcessingService(storage, new VisionService()).process(clip.id, context())
    await clip.refresh()
    assert.equal(clip.status, 'processed')
    const runs = await ProcessingRun.query().where('clip_id', clip.id).orderBy('attempt')
    assert.deepEqual(
      runs.map((run) => run.status),
      ['failed', 'succeeded']
    )
    assert.properties(runs[0].stepTimings, ['standardize'])
    assert.notProperty(runs[1].stepTimings, 'standardize', 'the retry did not standardize again')
    assert.notProperty(runs[1].stepTimings, 'download', 'nor fetch the original again')
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(120_000)

  test('a clip withdrawn while it is processed publishes nothing and keeps no outputs', async ({
    assert,
  }) => {
    const creator = await makeUser('creator')
    const { clip } = await uploadedClip(creator, shortClip())
    const processing = await app.container.make(ClipProcessingService)
    const ctx = context({
      reportProgress: async (percent) => {
        // The creator withdraws half-way through.
        if (percent >= 40)
          await Clip.query()
            .where('id', clip.id)
            .update({ status: 'withdrawn', withdrawn_at: new Date() })
      },
    })
    await processing.process(clip.id, ctx)
    await clip.refresh()
    assert.equal(clip.status, 'withdrawn')
    await clip.load('assets')
    assert.deepEqual(
      clip.assets.map((asset) => asset.kind),
      ['raw']
    )
    const storage = await app.container.make(StorageService)
    assert.deepEqual(await storage.list('processed', `clips/${clip.id}/`), [])
    assert.deepEqual(await storage.list('previews', `clips/${clip.id}/`), [])
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(120_000)
})
