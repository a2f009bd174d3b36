import { test } from '@japa/runner'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import { SHARED_MEDIA, SKIP_WITHOUT_MEDIA, sharedMediaAvailable } from '#tests/helpers/media'
import { processClip } from '#tests/helpers/pipeline'
import {
  createVisionProcessors,
  loadVisionModels,
  type VisionModels,
} from '#workers/vision/processors'
import { VisionRuntime } from '#workers/vision/runtime/runtime'
import { DEFAULT_VISION_SETTINGS, type VisionSettings } from '#workers/vision/settings'
import { VisionThread } from '#workers/vision/runtime/thread'
import type { Model } from '#workers/vision/types'

const CLIP = join(SHARED_MEDIA, 'two_people_indoor_1280x720_3s.mp4')
const settings: VisionSettings = { ...DEFAULT_VISION_SETTINGS, cacheDir: app.makePath('models') }

/** What an anonymizer in this process keeps a face for at `width × height` (no model is run). */
async function keptFramesAt(width: number, height: number) {
  const model: Model = { name: 'unused', inputNames: [], outputNames: [], run: async () => ({}) }
  const models = {
    ...Object.fromEntries(
      [
        'faceShort',
        'faceFull',
        'faceSsd',
        'personDetector',
        'textDetector',
        'textRecognizer',
        'poseDetector',
        'poseLandmarks',
      ].map((key) => [key, model])
    ),
    dictionary: ['0'],
    versions: {},
  } as unknown as VisionModels
  const [, anonymize] = createVisionProcessors(models, settings)
  await anonymize.init!({ width, height, fps: 30 })
  return ((await anonymize.finish!()) as any).settings.faceTracking.keptFrames as number
}

/** `CLIP` through the pipeline with the processors of a fresh VisionThread, into `outDir`. */
async function throughThread(outDir: string, options: { width?: number; height?: number } = {}) {
  const thread = new VisionThread(settings)
  try {
    return await processClip(CLIP, outDir, {
      processors: await thread.processors(),
      blur: settings.blur,
      ...options,
    })
  } finally {
    await thread.close()
  }
}

test.group('Vision on its thread (as the worker runs it)', (group) => {
  let work: string
  group.each.setup(async () => {
    work = await mkdtemp(join(tmpdir(), 'athera-vision-thread-'))
    return () => rm(work, { recursive: true, force: true })
  })

  test('regions.json lists every region the thread blurred, frame by frame')
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(300_000)
    .run(async ({ assert }) => {
      const result = await throughThread(work)
      const regions = JSON.parse(await readFile(result.outputs.regions.path, 'utf8'))
      const metadata = JSON.parse(await readFile(result.outputs.metadata.path, 'utf8'))
      const qa = metadata.anonymization.anonymize
      assert.lengthOf(regions.frames, regions.frameCount)
      const count = (kinds: string[]) =>
        regions.frames.reduce(
          (sum: number, frame: any) =>
            sum + frame.regions.filter((region: any) => kinds.includes(region[0])).length,
          0
        )
      // The same regions the anonymizer counted in its QA report, none lost on the way back.
      assert.isAbove(qa.faceRegions, 0)
      assert.equal(count(['face', 'head']), qa.faceRegions)
      assert.equal(count(['text']), qa.textRegions)
    })

  test(
    'the processors on the thread learn the output size (the face tracker keeps faces for a round of its tiles)'
  )
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(300_000)
    .run(async ({ assert }) => {
      const expected = await keptFramesAt(640, 360)
      assert.notEqual(
        expected,
        await keptFramesAt(1280, 720),
        'the sizes must differ in tiles for this test to mean anything'
      )
      const result = await throughThread(work, { width: 640, height: 360 })
      const metadata = JSON.parse(await readFile(result.outputs.metadata.path, 'utf8'))
      assert.equal(metadata.anonymization.anonymize.settings.faceTracking.keptFrames, expected)
    })

  // Tests and the evals run the processors in process; the worker runs them on the thread,
  // behind proxies that once dropped what they did not forward (regions, the output size).
  test(
    'the thread writes what the processors write in process: regions.json, keypoints.json and the QA report'
  )
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(300_000)
    .run(async ({ assert }) => {
      const runtime = new VisionRuntime({ threads: settings.threads })
      let inProcess
      try {
        inProcess = await processClip(CLIP, join(work, 'in-process'), {
          processors: createVisionProcessors(await loadVisionModels(runtime, settings), settings),
          blur: settings.blur,
        })
      } finally {
        await runtime.close()
      }
      const onThread = await throughThread(join(work, 'thread'))
      for (const kind of ['regions', 'keypoints'] as const) {
        const expected = await readFile(inProcess.outputs[kind].path, 'utf8')
        assert.equal(
          await readFile(onThread.outputs[kind].path, 'utf8'),
          expected,
          `${kind}.json differs`
        )
      }
      const metadata = async (result: typeof inProcess) =>
        JSON.parse(await readFile(result.outputs.metadata.path, 'utf8'))
      const [a, b] = [await metadata(inProcess), await metadata(onThread)]
      assert.deepEqual(b.anonymization, a.anonymization)
      assert.deepEqual(b.pose, a.pose)
    })
})
