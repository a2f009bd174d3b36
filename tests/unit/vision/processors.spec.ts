import { test } from '@japa/runner'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import {
  SHARED_MEDIA,
  SKIP_WITHOUT_MEDIA,
  imageFrame,
  sharedMediaAvailable,
} from '#tests/helpers/media'
import { processClip, schemaValidators } from '#tests/helpers/pipeline'
import { FrameReader } from '#workers/video/frames'
import { toCocoKeypoints } from '#workers/vision/pose/coco_export'
import { createAnonymizer } from '#workers/vision/anonymize/anonymizer'
import { FaceDetector } from '#workers/vision/faces/detector'
import {
  type AnonymizeProcessor,
  createVisionProcessors,
  loadVisionModels,
  type VisionModels,
} from '#workers/vision/processors'
import { CarriedText } from '#workers/vision/anonymize/carried_text'
import { keyframePlan, readsText } from '#workers/vision/anonymize/schedule'
import type { Box } from '#workers/vision/types'
import { iou } from '#workers/vision/geometry'
import type { Frame } from '#workers/pipeline/types'
import { VisionRuntime } from '#workers/vision/runtime/runtime'
import { DEFAULT_VISION_SETTINGS, type VisionSettings } from '#workers/vision/settings'

const CLIP = join(SHARED_MEDIA, 'two_people_indoor_1280x720_3s.mp4')

/** Luma detail inside a box: the mean absolute difference between neighbouring pixels. */
function detail(frame: Frame, box: Box) {
  const x0 = Math.max(1, Math.round(box.x))
  const y0 = Math.max(0, Math.round(box.y))
  const x1 = Math.min(frame.width, Math.round(box.x + box.width))
  const y1 = Math.min(frame.height - 1, Math.round(box.y + box.height))
  let sum = 0
  let count = 0
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const at = y * frame.width + x
      sum +=
        Math.abs(frame.data[at] - frame.data[at - 1]) +
        Math.abs(frame.data[at] - frame.data[at + frame.width])
      count++
    }
  }
  return sum / Math.max(1, count)
}

test.group('Face search schedule', () => {
  test('text is read on a keyframe every 8 frames or so, whatever the detection interval', ({
    assert,
  }) => {
    const reading = (every: number) =>
      Array.from({ length: 49 }, (_, i) => i).filter((i) => readsText(i, every))
    assert.deepEqual(reading(1), [0, 8, 16, 24, 32, 40, 48])
    assert.deepEqual(reading(2), [0, 8, 16, 24, 32, 40, 48])
    // Every 3rd frame: the first keyframe of each 8 frames, 6 to 9 frames apart.
    assert.deepEqual(reading(3), [0, 9, 18, 24, 33, 42, 48])
    assert.deepEqual(reading(5), [0, 10, 20, 25, 35, 40])
  })

  test('keyframes share the tiles and take the SSD squares in turn every ssdEvery-th keyframe', ({
    assert,
  }) => {
    const region = (x: number) => ({ x, y: 0, width: 10, height: 10 })
    const grid = Array.from({ length: 14 }, (_, i) => region(i))
    const squares = [region(100), region(200)]
    // The first keyframe searches everything; a video's first frame has no earlier one to track.
    assert.deepEqual(keyframePlan(0, grid, squares, 3), { tiles: grid, squares })
    const plans = Array.from({ length: 12 }, (_, turn) => keyframePlan(turn + 1, grid, squares, 3))
    // 14 tiles at 6 a keyframe: 3 rounds, each tile once per round, every tile covered.
    assert.deepEqual(
      plans.slice(0, 3).map((plan) => plan.tiles.length),
      [5, 4, 5]
    )
    assert.sameMembers(
      plans.slice(0, 3).flatMap((plan) => plan.tiles),
      grid
    )
    // Keyframes 3, 6, 9, 12 run one square, alternating.
    assert.deepEqual(
      plans.map((plan) => plan.squares.map((square) => square.x)),
      [[], [], [200], [], [], [100], [], [], [200], [], [], [100]]
    )
    assert.deepEqual(keyframePlan(5, grid, [], 1).squares, [], 'no SSD, no squares')
    assert.deepEqual(keyframePlan(5, grid, squares, 1).squares, [region(200)])
  })
})

test.group('Vision processors in the pipeline', (group) => {
  let work: string
  let runtime: VisionRuntime
  let models: VisionModels
  const settings: VisionSettings = { ...DEFAULT_VISION_SETTINGS, cacheDir: app.makePath('models') }
  group.setup(async () => {
    work = await mkdtemp(join(tmpdir(), 'athera-vision-'))
    runtime = new VisionRuntime({ threads: 2 })
    return async () => {
      await runtime.close()
      await rm(work, { recursive: true, force: true })
    }
  })
  group.each.setup(async () => {
    models ??= await loadVisionModels(runtime, settings)
  })
  group.each.timeout(300_000)

  test(
    'a clip comes out with its faces blurred, tracked people with raw and smoothed keypoints, and a QA report'
  )
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const result = await processClip(CLIP, join(work, 'two-people'), {
        processors: createVisionProcessors(models, settings),
        blur: settings.blur,
      })

      // keypoints.json: valid, two people followed under the same ids through the clip.
      const { keypoints: validKeypoints, metadata: validMetadata } = await schemaValidators()
      const keypoints = JSON.parse(await readFile(result.outputs.keypoints.path, 'utf8'))
      assert.isTrue(validKeypoints(keypoints), JSON.stringify(validKeypoints.errors?.slice(0, 3)))
      const withTwo = keypoints.frames.filter((frame: any) => frame.people.length >= 2)
      assert.isAbove(withTwo.length, keypoints.frames.length * 0.8, 'both people in most frames')
      const ids = new Map<number, number>()
      for (const frame of keypoints.frames)
        for (const person of frame.people)
          ids.set(person.trackId, (ids.get(person.trackId) ?? 0) + 1)
      const steady = [...ids.values()].filter((count) => count >= keypoints.frames.length * 0.6)
      assert.isAtLeast(
        steady.length,
        2,
        `two track ids last most of the clip: ${JSON.stringify([...ids])}`
      )
      // The smoothed nose moves less from frame to frame than the raw one.
      const [trackId] = [...ids].sort((a, b) => b[1] - a[1])[0]
      const path = (key: 'keypoints' | 'smoothed') =>
        keypoints.frames.flatMap((frame: any) =>
          frame.people.filter((p: any) => p.trackId === trackId).map((p: any) => p[key][0])
        )
      const travel = (points: number[][]) =>
        points
          .slice(1)
          .reduce(
            (sum, point, i) => sum + Math.hypot(point[0] - points[i][0], point[1] - points[i][1]),
            0
          )
      assert.isBelow(travel(path('smoothed')), travel(path('keypoints')))

      // metadata.json: the models and the QA report a reviewer reads.
      const metadata = JSON.parse(await readFile(result.outputs.metadata.path, 'utf8'))
      assert.isTrue(validMetadata(metadata), JSON.stringify(validMetadata.errors?.slice(0, 3)))
      assert.includeMembers(
        metadata.models.map((model: any) => model.name),
        ['pose', 'anonymize']
      )
      assert.match(
        metadata.models.find((model: any) => model.name === 'anonymize').version,
        /@mediapipe\/face_detection@.*@vladmandic\/human-models@[\d.]+\/models\/centernet\.bin/
      )
      const qa = metadata.anonymization.anonymize
      assert.equal(qa.settings.blur, 'gaussian')
      assert.deepEqual(qa.settings.bodyDetector, { threshold: 0.3 })
      // Two people both found by pose: whole-frame text turns still ran the body detector.
      assert.isAbove(qa.bodyDetectedPeople, 0)
      assert.isAbove(qa.detectedFaces, 0)
      // The small faces in the background are found on tiles a keyframe does not always run:
      // some keyframes find them again around their tracks instead.
      assert.isAbove(qa.refoundFaces, 0)
      assert.isBelow(qa.refoundFaces, qa.detectedFaces)
      assert.isArray(qa.framesFilledByTracking)
      // The risk score is made from the same report: its reasons point at frames of this clip.
      assert.isAtLeast(qa.risk.score, 0)
      assert.isAtMost(qa.risk.score, 100)
      for (const reason of qa.risk.reasons) {
        for (const [first, last] of reason.frames) assert.isAtMost(first, last)
        assert.isAtMost(reason.frames.at(-1)?.[1] ?? 0, keypoints.frameCount - 1)
      }
      // A face kept only by its track is a tracked box: those frames are among the tracked ones.
      const within = (index: number, ranges: [number, number][]) =>
        ranges.some(([first, last]) => first <= index && index <= last)
      for (const [first, last] of qa.framesKeptByTrackingOnly) {
        assert.isTrue(
          within(first, qa.framesFilledByTracking) && within(last, qa.framesFilledByTracking),
          `${first}–${last}`
        )
      }
      assert.deepEqual(qa.regionsPerFrame.columns, ['firstFrame', 'lastFrame', 'faces', 'text'])
      assert.equal(qa.regionsPerFrame.runs.at(-1)[1], keypoints.frameCount - 1)
      assert.equal(metadata.pose.pose.tracks >= 2, true)

      // Every face the detector finds in the original has lost its detail in the output. (A
      // detector may still see a head-shaped blob where a face was: shape is not identity.)
      const detector = new FaceDetector(
        { short: models.faceShort, full: models.faceFull },
        { threshold: 0.4 }
      )
      const frameAt = async (video: string, index: number) => {
        for await (const frame of new FrameReader(
          video,
          { width: 1280, height: 720, fps: 30 },
          { sourceFps: 30 }
        )) {
          if (frame.index === index) return frame
        }
        throw new Error(`no frame ${index}`)
      }
      for (const index of [10, 40, 70]) {
        const original = await frameAt(CLIP, index)
        const blurred = await frameAt(result.outputs.video.path, index)
        const detected = await detector.detect(original)
        const faces = detected.filter((face) => face.score >= 0.5)
        assert.isAbove(faces.length, 0, `frame ${index} has faces to blur`)
        for (const face of faces) {
          const ratio = detail(blurred, face) / detail(original, face)
          // An untouched face keeps ~100%; the blur's smooth shading and H.264 noise keep up to ~30%.
          assert.isBelow(
            ratio,
            0.4,
            `frame ${index}: the face at ${Math.round(face.x)},${Math.round(face.y)} keeps ${Math.round(ratio * 100)}% of its detail`
          )
        }
      }

      // The COCO export of the same clip.
      const coco = toCocoKeypoints(keypoints)
      assert.lengthOf(coco.images, keypoints.frameCount)
      assert.equal(
        coco.annotations.length,
        keypoints.frames.reduce((sum: number, frame: any) => sum + frame.people.length, 0)
      )
      for (const annotation of coco.annotations.slice(0, 20)) {
        assert.lengthOf(annotation.keypoints, 17 * 3)
        assert.isNumber(annotation.track_id)
        assert.oneOf(annotation.keypoints[2], [0, 1, 2])
      }
      assert.lengthOf(coco.categories[0].keypoints, 17)
      assert.deepEqual(coco.categories[0].skeleton[0], [16, 14])
    })

  test('shirt numbers on a still are found on the people and blurred')
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const anonymizer = await createAnonymizer({ cacheDir: settings.cacheDir })
      try {
        const frame = await imageFrame('football_numbers_ochuman003799.jpg')
        const original = Buffer.from(frame.data)
        const result = await anonymizer.anonymize(frame)
        assert.isAbove(result.text.length, 0, 'number regions found')
        assert.isTrue(
          result.text.some((region) => /\d/.test(region.text)),
          JSON.stringify(result.text.map((r) => r.text))
        )
        // Pixels inside a number region changed; the frame's corner did not.
        const box = result.text[0]
        const at = (x: number, y: number) => Math.round(y) * frame.width + Math.round(x)
        const centre = at(box.x + box.width / 2, box.y + box.height / 2)
        assert.isTrue(
          frame.data
            .subarray(centre - 4, centre + 4)
            .some((value, i) => value !== original[centre - 4 + i]),
          'the number region is blurred'
        )
        assert.equal(frame.data[0], original[0])
      } finally {
        await anonymizer.close()
      }
    })

  test(
    "by default a surname on a player's back is blurred and counted in the QA report; numbers mode does not read it as a name"
  )
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      // "SCHIERHO…" across the back of the player at the right (eval/privacy/labels.json, frame pixels).
      const name = { x: 1058, y: 516, width: 172, height: 70 }
      const original = await imageFrame('fans_crowd_jerseys_retinaface.jpg')
      const before = detail(original, name)
      const run = async (mode: VisionSettings['text']['mode']) => {
        const frame = { ...original, data: Buffer.from(original.data) }
        const [pose, anonymize] = createVisionProcessors(
          models,
          { ...settings, text: { mode } },
          { still: true }
        )
        await pose.process(frame)
        await anonymize.process(frame)
        const qa = (await anonymize.finish!()) as {
          detectedNames: number
          settings: { text: string }
        }
        return { frame, qa }
      }
      const identifying = await run(DEFAULT_VISION_SETTINGS.text.mode)
      assert.equal(identifying.qa.settings.text, 'identifying')
      assert.isAtLeast(identifying.qa.detectedNames, 1)
      assert.isBelow(detail(identifying.frame, name), before / 2, 'the name is blurred')
      // In numbers mode the name is not read as one. (Its pixels end up blurred all the same here:
      // the margin around the big "22" just below reaches over it.)
      const numbers = await run('numbers')
      assert.equal(numbers.qa.detectedNames, 0)
    })

  test(
    "a shirt number on a player pose does not find (the ball hides his face) is read on the body detector's box"
  )
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      // The Honduras "3", labelled by eye in the letterboxed frame (eval/privacy/labels.json).
      const three = { x: 738, y: 328, width: 19, height: 37 }
      const centre = { x: three.x + three.width / 2, y: three.y + three.height / 2 }
      const inside = (box: Box) =>
        centre.x > box.x &&
        centre.x < box.x + box.width &&
        centre.y > box.y &&
        centre.y < box.y + box.height
      const frame = await imageFrame('football_numbers_ochuman003799.jpg')
      const before = detail(frame, three)
      const [pose, anonymize] = createVisionProcessors(models, settings, { still: true })
      const people = (await pose.process(frame)) ?? []
      const poseBoxes = people.map(({ bbox: [x, y, width, height] }) => ({ x, y, width, height }))
      assert.isFalse(
        poseBoxes.some(inside),
        'pose has no box on him (else this test shows nothing)'
      )
      await anonymize.process(frame)
      const text = (anonymize as AnonymizeProcessor).last.text
      assert.isTrue(
        text.some(inside),
        JSON.stringify(text.map(({ x, y, width, height }) => [x, y, width, height].map(Math.round)))
      )
      assert.isBelow(detail(frame, three), before / 2, 'the number is blurred')
      const stats = (await anonymize.finish!()) as { bodyDetectedPeople: number }
      assert.isAtLeast(stats.bodyDetectedPeople, 4)
    })

  test(
    'a face the face detector misses (batting helmet, profile) is blurred from the pose landmarks'
  )
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      // The batter's face in the letterboxed frame, labelled by eye (eval/privacy/labels.json).
      const batter = { x: 589, y: 173, width: 47, height: 37 }
      const frame = await imageFrame('baseball_numbers_coco196141.jpg')
      const faces = new FaceDetector(
        { short: models.faceShort, full: models.faceFull },
        { threshold: settings.faces.threshold }
      )
      const detected = await faces.detect(frame)
      assert.isFalse(
        detected.some((box) => iou(box, batter) >= 0.3),
        'BlazeFace alone misses it (else this test shows nothing)'
      )
      const before = detail(frame, batter)
      const anonymizer = await createAnonymizer({ cacheDir: settings.cacheDir })
      try {
        const result = await anonymizer.anonymize(frame)
        assert.isTrue(
          result.faces.some((box) => iou(box, batter) >= 0.3),
          JSON.stringify(result.faces)
        )
        assert.isBelow(detail(frame, batter), before / 3)
      } finally {
        await anonymizer.close()
      }
    })
})

test.group('Text carried with a person', () => {
  test('a number read on a person moves with them and is forgotten some seconds after', ({
    assert,
  }) => {
    const carried = new CarriedText()
    carried.set(
      7,
      { x: 100, y: 100, width: 100, height: 200 },
      [{ x: 130, y: 150, width: 40, height: 30 }],
      0
    )
    assert.equal(carried.readAt(7), 0)
    assert.equal(carried.readAt(8), -1)

    // The player ran 300 px right and came twice as close.
    const [moved] = carried.regions(10, [
      { trackId: 7, box: { x: 400, y: 50, width: 200, height: 400 } },
    ])
    assert.deepEqual(moved, { x: 460, y: 150, width: 80, height: 60 })
    assert.deepEqual(
      carried.regions(10, [{ trackId: 8, box: { x: 0, y: 0, width: 10, height: 10 } }]),
      []
    )
    assert.deepEqual(
      carried.regions(500, [{ trackId: 7, box: { x: 0, y: 0, width: 100, height: 200 } }]),
      []
    )
  })
})
