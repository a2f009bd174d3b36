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
import {
  INVERTED_RECENT_MS,
  InvertedSearchPlan,
  detectionFromTurned,
  sportTurnsPeopleOver,
} from '#workers/vision/pose/inverted'
import { bodyBox, type PoseDetection } from '#workers/vision/pose/detector'
import { roiFromDetection } from '#workers/vision/pose/landmarks'
import { turnBox, turnFrame, turnPoint, undoTurn, type QuarterTurn } from '#workers/vision/turn'
import type { Box } from '#workers/vision/types'
import type { Frame } from '#workers/pipeline/types'
import { FRONTAL_FACE, turnedPose } from '#tests/helpers/pose_fixtures'
import { VisionRuntime } from '#workers/vision/runtime/runtime'
import { DEFAULT_VISION_SETTINGS, type VisionSettings } from '#workers/vision/settings'

/** Eyes, nose and mouth (eyes above the mouth when upright) turned about the nose by `degrees`. */
const EYES_NOSE_MOUTH = Object.fromEntries(
  [0, 2, 5, 9, 10].map((index) => [index, FRONTAL_FACE[index]])
)
const person = (degrees: number) => turnedPose(degrees, EYES_NOSE_MOUTH)

test.group('Bodies upside down: when to search the frame turned', () => {
  test('a sport turns people over when one of its words (or word pairs) is listed, whatever the case or accents', ({
    assert,
  }) => {
    for (const sport of [
      'gymnastics',
      'Artistic Gymnastics',
      'Pole vault',
      'Trampoline',
      'cheer',
      'Breakdance',
      'plongeon / Diving',
      'Acrobàtics',
    ]) {
      assert.isTrue(sportTurnsPeopleOver(sport), sport)
    }
    for (const sport of [
      'football',
      'basketball',
      'athletics',
      'skydiving',
      'vault',
      'pole',
      '',
      null,
      undefined,
    ]) {
      assert.isFalse(sportTurnsPeopleOver(sport), String(sport))
    }
    // An admin's own list replaces the built-in one.
    assert.isTrue(sportTurnsPeopleOver('Turnen', ['turnen']))
    assert.isFalse(sportTurnsPeopleOver('gymnastics', []))
  })

  test('by sport: every keyframe, never a frame between', ({ assert }) => {
    const plan = new InvertedSearchPlan({ sport: 'Gymnastics' })
    assert.isTrue(plan.bySport)
    assert.equal(plan.reason(0, true), 'sport')
    assert.equal(plan.reason(33, false), null)
    assert.equal(plan.reason(60_000, true), 'sport')
  })

  test('by what pose saw: the keyframes after someone showed upside down, for a while; not the frame itself', ({
    assert,
  }) => {
    const plan = new InvertedSearchPlan({ sport: 'football' })
    assert.isFalse(plan.bySport)
    assert.equal(plan.reason(0, true), null, 'nothing seen yet')
    // Upright and lying people start nothing: only a head turned over INVERTED_DEGREES does.
    plan.saw(0, [person(0), person(90), person(-100)])
    assert.equal(plan.reason(66, true), null)
    plan.saw(1000, [person(0), person(175)])
    assert.equal(
      plan.reason(1000, true),
      null,
      'the frame where he was seen decided before its pose'
    )
    assert.equal(plan.reason(1033, false), null, 'no keyframe')
    assert.equal(plan.reason(1066, true), 'seen')
    assert.equal(plan.reason(1000 + INVERTED_RECENT_MS, true), 'seen')
    assert.equal(plan.reason(1000 + INVERTED_RECENT_MS + 66, true), null, 'too long ago')
    // Seen again, the search goes on.
    plan.saw(5000, [person(-150)])
    assert.equal(plan.reason(5066, true), 'seen')
  })
})

test.group('Bodies upside down: the frame turned and back', () => {
  /** A 16 × 8 grey frame with a bright 4 × 2 block at (2, 2) in luma and its 2 × 1 at (1, 1) in chroma. */
  function marked(): Frame {
    const [width, height] = [16, 8]
    const data = Buffer.alloc(width * height * 1.5, 128)
    for (let y = 2; y < 4; y++) for (let x = 2; x < 6; x++) data[y * width + x] = 235
    data[width * height + 1 * 8 + 1] = 200
    data[width * height + 1 * 8 + 2] = 200
    return { index: 3, timeMs: 100, width, height, format: 'yuv420p', data }
  }
  function bright(frame: Frame): Box {
    const xs: number[] = []
    const ys: number[] = []
    for (let y = 0; y < frame.height; y++)
      for (let x = 0; x < frame.width; x++)
        if (frame.data[y * frame.width + x] > 200) (xs.push(x), ys.push(y))
    return {
      x: Math.min(...xs),
      y: Math.min(...ys),
      width: Math.max(...xs) + 1 - Math.min(...xs),
      height: Math.max(...ys) + 1 - Math.min(...ys),
    }
  }

  for (const degrees of [90, 180, 270] as QuarterTurn[]) {
    test(`turned ${degrees}°: the pixels land where turnBox says, and turning back restores the frame`, ({
      assert,
    }) => {
      const frame = marked()
      const turned = turnFrame(frame, degrees)
      assert.deepEqual([turned.width, turned.height], degrees === 180 ? [16, 8] : [8, 16])
      assert.deepEqual(bright(turned), turnBox({ x: 2, y: 2, width: 4, height: 2 }, 16, 8, degrees))
      assert.equal(turned.index, 3)
      assert.notStrictEqual(turned.data, frame.data)
      const back = turnFrame(turned, undoTurn(degrees))
      assert.isTrue(back.data.equals(frame.data), 'luma and both chroma planes back in place')
      // A point and its box agree, and undoing the turn gives the point back.
      const [x, y] = turnPoint(2, 2, 16, 8, degrees)
      const [w, h] = degrees === 180 ? [16, 8] : [8, 16]
      assert.deepEqual(turnPoint(x, y, w, h, undoTurn(degrees)), [2, 2])
    })
  }

  test('odd sides cannot be turned: a clear error, the frame untouched', ({ assert }) => {
    const frame: Frame = {
      index: 0,
      timeMs: 0,
      width: 15,
      height: 8,
      format: 'yuv420p',
      data: Buffer.alloc(180),
    }
    assert.throws(() => turnFrame(frame, 180), /yuv420p sides must be even/)
  })

  test('a body found upright on the turned frame comes back upside down, its region rotated half a turn', ({
    assert,
  }) => {
    // On the turned 1280 × 720 frame: hips at (300, 400), the body circle's point straight up.
    const keypoints: [number, number][] = [
      [300, 400],
      [300, 250],
      [300, 300],
      [300, 280],
    ]
    const detection: PoseDetection = { ...bodyBox(keypoints), score: 0.8, keypoints }
    assert.closeTo(roiFromDetection(detection).rotation, 0, 1e-9, 'upright where it was found')
    const back = detectionFromTurned(detection, 1280, 720)
    assert.deepEqual(back.keypoints[0], [980, 320])
    assert.deepEqual(back.keypoints[1], [980, 470])
    assert.deepEqual(
      { x: back.x, y: back.y, width: back.width, height: back.height },
      { x: 830, y: 170, width: 300, height: 300 }
    )
    assert.equal(back.score, 0.8)
    const roi = roiFromDetection(back)
    assert.closeTo(
      Math.abs(roi.rotation),
      Math.PI,
      1e-9,
      'the landmark model is shown him the right way up'
    )
    assert.closeTo(roi.cx, 980, 1e-9)
    assert.closeTo(roi.cy, 320, 1e-9)
  })
})

test.group('Bodies upside down: shared pictures turned 180°', (group) => {
  let runtime: VisionRuntime
  let models: VisionModels
  const settings: VisionSettings = {
    ...DEFAULT_VISION_SETTINGS,
    cacheDir: app.makePath('models'),
    lane: false,
  }
  group.setup(async () => {
    runtime = new VisionRuntime({ threads: 2 })
    return () => runtime.close()
  })
  group.each.setup(async () => {
    models ??= await loadVisionModels(runtime, settings)
  })
  group.each.timeout(300_000)

  const FILE = 'group_photo_ultralight11.jpg'

  /** One picture through pose and anonymize as a still of a clip of `sport`: blurred face regions and both QA reports. */
  async function still(frame: Frame, sport: string | null) {
    const [pose, anonymizer] = createVisionProcessors(
      models,
      { ...settings, detectEvery: 1 },
      { still: true, sport }
    )
    await pose.process({ ...frame, data: Buffer.from(frame.data) })
    await anonymizer.process({ ...frame, data: Buffer.from(frame.data) })
    const poseStats = (await pose.finish!()) as {
      invertedSearch: { bySport: boolean; keyframes: number; people: number }
    }
    return {
      faces: (anonymizer as AnonymizeProcessor).last.faces as Box[],
      inverted: poseStats.invertedSearch,
    }
  }

  test(
    'a group photo upside down: faces whose bodies the person detector misses inverted are blurred once a gymnastics clip is searched turned'
  )
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const original = await imageFrame(FILE)
      const inverted = turnFrame(original, 180)
      const labelled = await labelledFaces(FILE)
      const faces = labelled.map((face) => turnBox(face, original.width, original.height, 180))
      const blurred = (regions: Box[]) => faces.map((face) => coverage(face, regions) >= COVERED)

      const plain = await still(inverted, 'football')
      assert.deepEqual(
        plain.inverted,
        { bySport: false, keyframes: 0, people: 0 },
        'a football picture is not searched turned'
      )
      const searched = await still(inverted, 'Gymnastics')
      assert.isTrue(searched.inverted.bySport)
      assert.equal(searched.inverted.keyframes, 1)
      assert.isAtLeast(searched.inverted.people, 1, 'people found only on the frame turned')

      const before = blurred(plain.faces)
      const after = blurred(searched.faces)
      const gained = faces.filter((_, i) => after[i] && !before[i])
      const lost = faces.filter((_, i) => before[i] && !after[i])
      assert.isNotEmpty(
        gained,
        `no face gained: ${before.filter(Boolean).length} blurred either way of ${faces.length}`
      )
      assert.isEmpty(lost, `faces lost to the search: ${JSON.stringify(lost)}`)
    })

  test(
    'in a video, the keyframes after pose saw someone upside down are searched turned, the sport searches them all, frames between never'
  )
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const inverted = turnFrame(await imageFrame(FILE), 180)
      const searches = async (sport: string | null) => {
        const processors = createVisionProcessors(
          models,
          { ...settings, detectEvery: 2 },
          { sport }
        )
        for (const processor of processors)
          await processor.init?.({ width: inverted.width, height: inverted.height, fps: 30 })
        for (let index = 0; index < 5; index++) {
          const frame: Frame = {
            ...inverted,
            index,
            timeMs: (index * 1000) / 30,
            data: Buffer.from(inverted.data),
          }
          for (const processor of processors) await processor.process(frame)
        }
        return ((await processors[0].finish!()) as { invertedSearch: { keyframes: number } })
          .invertedSearch.keyframes
      }
      // Keyframes 0, 2 and 4: frame 0 shows people upside down, so 2 and 4 are searched.
      assert.equal(await searches(null), 2)
      assert.equal(await searches('trampoline'), 3)
    })
})
