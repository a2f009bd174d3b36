import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { SKIP_WITHOUT_MEDIA, imageFrame, sharedMediaAvailable } from '#tests/helpers/media'
import { COVERED, coverage, labelledFaces } from '#tests/helpers/labelled_faces'
import {
  type AnonymizeProcessor,
  createVisionProcessors,
  loadVisionModels,
  type VisionModels,
} from '#workers/vision/processors'
import { headAngle, headBox } from '#workers/vision/pose/head'
import { fromUpright, uprightCrop } from '#workers/vision/pose/upright'
import { turnBox, turnFrame as turn } from '#workers/vision/turn'
import type { Box } from '#workers/vision/types'
import type { Frame, Keypoint } from '#workers/pipeline/types'
import { HEAD_AND_SHOULDERS, turnedPose } from '#tests/helpers/pose_fixtures'
import { VisionRuntime } from '#workers/vision/runtime/runtime'
import { DEFAULT_VISION_SETTINGS, type VisionSettings } from '#workers/vision/settings'

test.group('Heads in any position: geometry', () => {
  /** A frontal face above shoulders, turned about its nose by `degrees`. */
  const person = (degrees: number) => turnedPose(degrees, HEAD_AND_SHOULDERS)

  test('the head angle follows the face: upright 0, lying 90, upside down 180', ({ assert }) => {
    assert.closeTo(headAngle(person(0)), 0, 0.5)
    assert.closeTo(headAngle(person(90)), 90, 0.5)
    assert.closeTo(headAngle(person(-90)), -90, 0.5)
    assert.closeTo(Math.abs(headAngle(person(180))), 180, 0.5)
    // Without the mouth, the shoulders-to-nose line says the same.
    const noMouth = person(180)
    noMouth[9][2] = 0
    noMouth[10][2] = 0
    assert.closeTo(Math.abs(headAngle(noMouth)), 180, 0.5)
  })

  test('a lying head is boxed wider than high, an upside-down one like an upright one, the shoulders a floor', ({
    assert,
  }) => {
    const upright = headBox(person(0))!
    const lying = headBox(person(90))!
    const inverted = headBox(person(180))!
    assert.isBelow(upright.width, upright.height)
    assert.closeTo(lying.width, upright.height, 0.5)
    assert.closeTo(lying.height, upright.width, 0.5)
    assert.closeTo(inverted.width, upright.width, 0.5)
    assert.closeTo(inverted.height, upright.height, 0.5)
    // Face points crowded together (seen from above): the shoulders keep the head head-sized.
    const crowded = person(0).map(([x, y, v], index): Keypoint =>
      index <= 10 ? [200 + (x - 200) / 10, 110 + (y - 110) / 10, v] : [x, y, v]
    )
    assert.isAtLeast(headBox(crowded)!.across, 0.35 * 100 - 0.01)
  })

  test('a box found on the upright crop maps back onto the turned head', ({ assert }) => {
    // A bright 20 × 10 bar right of a head at (100, 100): with the head lying (its top to the
    // right), the bar is above the face in the upright crop.
    const width = 200
    const height = 200
    const data = Buffer.alloc(width * height * 1.5, 16)
    for (let y = 95; y < 105; y++) for (let x = 120; x < 140; x++) data[y * width + x] = 235
    const frame: Frame = { index: 0, timeMs: 0, width, height, format: 'yuv420p', data }
    const crop = uprightCrop(frame, { x: 80, y: 80, width: 40, height: 40 }, 90)
    const bright: [number, number][] = []
    for (let v = 0; v < 128; v++)
      for (let u = 0; u < 128; u++) if (crop.frame.data[v * 128 + u] > 128) bright.push([u, v])
    const us = bright.map(([u]) => u)
    const vs = bright.map(([, v]) => v)
    const found = {
      x: Math.min(...us),
      y: Math.min(...vs),
      width: Math.max(...us) + 1 - Math.min(...us),
      height: Math.max(...vs) + 1 - Math.min(...vs),
    }
    assert.isBelow(found.y + found.height, 64, 'above the crop centre')
    assert.isAbove(found.height, found.width, 'the bar stands upright in the crop')
    const back = fromUpright(crop, found)
    assert.closeTo(back.x, 120, 1.5)
    assert.closeTo(back.y, 95, 1.5)
    assert.closeTo(back.width, 20, 1.5)
    assert.closeTo(back.height, 10, 1.5)
  })
})

test.group('Heads in any position: shared pictures turned', (group) => {
  let runtime: VisionRuntime
  let models: VisionModels
  const settings: VisionSettings = {
    ...DEFAULT_VISION_SETTINGS,
    cacheDir: app.makePath('models'),
    detectEvery: 1,
  }
  group.setup(async () => {
    runtime = new VisionRuntime({ threads: 2 })
    return () => runtime.close()
  })
  group.each.setup(async () => {
    models ??= await loadVisionModels(runtime, settings)
  })
  group.each.timeout(300_000)

  /** The face regions the pipeline blurs on one picture, and its QA counts. */
  async function anonymize(frame: Frame) {
    const [pose, anonymizer] = createVisionProcessors(models, settings, { still: true })
    await pose.process(frame)
    await anonymizer.process(frame)
    const stats = (await anonymizer.finish!()) as Record<string, number>
    return { faces: (anonymizer as AnonymizeProcessor).last.faces as Box[], stats }
  }

  for (const file of [
    'zidane_yolov5.jpg',
    'standing_man_egoblur.jpg',
    'airport_walkers_ochuman000817.jpg',
    'truck_two_men_crowdpose103319.jpg',
  ]) {
    test(`the faces blurred on ${file} upright are blurred turned 90° and 180°`)
      .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
      .run(async ({ assert }) => {
        const labelled = await labelledFaces(file)
        const original = await imageFrame(file)
        const upright = await anonymize({ ...original, data: Buffer.from(original.data) })
        const blurredUpright = labelled.filter((face) => coverage(face, upright.faces) >= COVERED)
        assert.isNotEmpty(
          blurredUpright,
          'some labelled face is blurred upright (else this test shows nothing)'
        )
        for (const degrees of [90, 180] as const) {
          const turned = await anonymize(turn(original, degrees))
          for (const face of blurredUpright) {
            const box = turnBox(face, original.width, original.height, degrees)
            const share = coverage(box, turned.faces)
            assert.isAtLeast(
              share,
              COVERED,
              `${degrees}°: face ${JSON.stringify(box)} ${share} upright ${coverage(face, upright.faces)} stats ${JSON.stringify([turned.stats.headsTurnedUpright, turned.stats.turnedFaceDetections, turned.stats.headRegions])} covered by ${JSON.stringify(turned.faces.map(({ x, y, width, height }) => [x, y, width, height].map(Math.round)))}`
            )
          }
        }
      })
  }

  test(
    'a handstand (a standing man turned upside down) has his head blurred, found turned upright, and the QA report counts it'
  )
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const [face] = await labelledFaces('standing_man_egoblur.jpg')
      const original = await imageFrame('standing_man_egoblur.jpg')
      const handstand = turn(original, 180)
      const { faces, stats } = await anonymize(handstand)
      const head = turnBox(face, original.width, original.height, 180)
      assert.isAtLeast(coverage(head, faces), COVERED, JSON.stringify(faces))
      // Pose found him upside down and the face detector was shown his head upright.
      assert.equal(stats.headsTurnedUpright, 1)
      assert.equal(stats.turnedFaceDetections, 1)
    })
})
