import { test } from '@japa/runner'
import { join } from 'node:path'
import {
  SHARED_MEDIA,
  SKIP_WITHOUT_MEDIA,
  imageFrame,
  sharedImage,
  sharedMediaAvailable,
} from '#tests/helpers/media'
import { loadPoseModels, type PoseModels } from '#tests/helpers/tfjs_pose_model'
import type { Frame } from '#workers/pipeline/types'
import type { Box } from '#workers/vision/types'
import {
  BLAZEPOSE_33_NAMES,
  COCO_17_NAMES,
  COCO_SKELETON,
  toCoco17,
} from '#workers/vision/pose/coco'
import {
  PoseDetector,
  poseAnchors,
  weightedNms,
  type PoseDetection,
} from '#workers/vision/pose/detector'
import { PoseEstimator } from '#workers/vision/pose/estimator'
import { headBox } from '#workers/vision/pose/head'
import { tileWindows } from '#workers/vision/pose/detector'
import { roiAffine, roiFromAlignment } from '#workers/vision/pose/landmarks'
import { applyAffine, sampleRgb } from '#workers/video/sample/affine'
import { KeypointSmoother, OneEuroFilter } from '#workers/vision/pose/smooth'
import { FRONTAL_FACE } from '#tests/helpers/pose_fixtures'

/**
 * People counted by eye in each image, as boxes in the 1280×720 letterboxed frame (generous:
 * they only have to hold the person's hip or shoulder centre). Only clearly visible people are
 * counted, not the small background spectators.
 */
const PEOPLE: Record<string, Box[]> = {
  'skier_coco785.jpg': [{ x: 560, y: 60, width: 380, height: 620 }],
  'standing_man_egoblur.jpg': [{ x: 440, y: 0, width: 400, height: 720 }],
  // The man in the red vest in front, the man in the green T-shirt behind him.
  'truck_two_men_crowdpose103319.jpg': [
    { x: 630, y: 230, width: 160, height: 390 },
    { x: 585, y: 140, width: 125, height: 400 },
  ],
  // The player in the striped kit, the man in the suit, the player in blue.
  'football_match_aic.jpg': [
    { x: 180, y: 90, width: 510, height: 610 },
    { x: 660, y: 10, width: 165, height: 540 },
    { x: 880, y: 10, width: 300, height: 680 },
  ],
  // The woman on the left (half hidden), the woman in the cap, the man on the right.
  'airport_walkers_ochuman000817.jpg': [
    { x: 400, y: 150, width: 135, height: 420 },
    { x: 525, y: 120, width: 145, height: 500 },
    { x: 715, y: 120, width: 160, height: 510 },
  ],
  // The dancing couple (overlapping): the man on the right, the woman on the left.
  'ballroom_dance_posetrack.jpg': [
    { x: 500, y: 140, width: 180, height: 440 },
    { x: 420, y: 160, width: 165, height: 420 },
  ],
}

function contains(box: Box, [x, y]: [number, number]) {
  return x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height
}

/** People matched one-to-one with a detection whose hip or shoulder centre lies in their box. */
function matched(people: Box[], detections: PoseDetection[]) {
  const owner = new Map<number, number>()
  const fits = (p: number, d: number) =>
    contains(people[p], detections[d].keypoints[0]) ||
    contains(people[p], detections[d].keypoints[2])
  const assign = (p: number, seen: Set<number>): boolean => {
    for (let d = 0; d < detections.length; d++) {
      if (!fits(p, d) || seen.has(d)) continue
      seen.add(d)
      const previous = owner.get(d)
      if (previous === undefined || assign(previous, seen)) {
        owner.set(d, p)
        return true
      }
    }
    return false
  }
  return people.filter((_, p) => assign(p, new Set())).length
}

test.group('pose: the face placed from landmarks', () => {
  /** 33 keypoints, all visible, with the face points given. */
  function person(face: Record<number, [number, number]>, visibility = 0.9) {
    const points: [number, number, number][] = Array.from({ length: 33 }, () => [0, 0, visibility])
    for (const [index, [x, y]] of Object.entries(face)) points[Number(index)] = [x, y, visibility]
    return points
  }
  const frontal = FRONTAL_FACE

  test('a frontal face is boxed around its points, sized from the eye-to-mouth distance and the ears', ({
    assert,
  }) => {
    const head = headBox(person(frontal))!
    assert.exists(head)
    assert.closeTo(head.x + head.width / 2, 200, 1)
    assert.closeTo(head.y + head.height / 2, 105, 3)
    // 2.9 × 20 px eye-to-mouth high; wider than the ears are apart.
    assert.closeTo(head.height, 58, 3)
    assert.isAbove(head.width, 38)
    assert.isBelow(head.width, head.height)
  })

  test('in profile the nose-to-ear distance keeps the box face-sized; an unseen face gives none', ({
    assert,
  }) => {
    // Looking left: ears on top of each other, the nose 30 px in front, eyes and mouth between.
    const profile = {
      0: [170, 110],
      1: [180, 100],
      2: [182, 100],
      3: [184, 100],
      4: [180, 101],
      5: [182, 101],
      6: [184, 101],
      7: [200, 104],
      8: [201, 104],
      9: [178, 118],
      10: [179, 118],
    } as Record<number, [number, number]>
    const head = headBox(person(profile))!
    assert.isAtLeast(head.width, 1.35 * 30 - 1)
    assert.isUndefined(headBox(person(frontal, 0.2)))
    assert.isUndefined(headBox([]))
  })
})

test.group('pose: detector decoding', () => {
  test('the anchors are the 2254 of the 224 detector, in output order', ({ assert }) => {
    const anchors = poseAnchors()
    assert.equal(anchors.length / 2, 2254)
    // Stride 8: a 28×28 grid, two anchors per cell, first cell first.
    assert.closeTo(anchors[0], 0.5 / 28, 1e-6)
    assert.closeTo(anchors[2], 0.5 / 28, 1e-6)
    assert.closeTo(anchors[4], 1.5 / 28, 1e-6)
    // Stride 16 starts after 28·28·2; the three stride-32 layers share a 7×7 grid, 6 per cell.
    assert.closeTo(anchors[2 * 1568], 0.5 / 14, 1e-6)
    assert.closeTo(anchors[2 * 1960], 0.5 / 7, 1e-6)
    assert.closeTo(anchors[2 * 1965], 0.5 / 7, 1e-6)
    assert.closeTo(anchors[2 * 1966], 1.5 / 7, 1e-6)
    assert.closeTo(anchors[2 * 2253 + 1], 6.5 / 7, 1e-6)
  })

  test('weighted NMS merges one person found twice, keeps two people side by side', ({
    assert,
  }) => {
    const person = (x: number, score: number): PoseDetection => ({
      x: 0,
      y: 0,
      width: 0,
      height: 0,
      score,
      // Hip centre, body-circle point, shoulder centre, upper-body point; a 200-pixel body.
      keypoints: [
        [x, 400],
        [x, 200],
        [x, 320],
        [x, 260],
      ],
    })
    const merged = weightedNms([person(500, 0.9), person(504, 0.6), person(560, 0.8)], 0.3)
    assert.lengthOf(merged, 2)
    assert.equal(merged[0].score, 0.9)
    assert.closeTo(merged[0].keypoints[0][0], (500 * 0.9 + 504 * 0.6) / 1.5, 1e-6)
    assert.equal(merged[1].keypoints[0][0], 560)
    // The box is the square around the body circle.
    assert.deepEqual(
      [merged[1].x, merged[1].y, merged[1].width, merged[1].height],
      [360, 200, 400, 400]
    )
  })

  test('regions are upright for a standing person and turn with the body', ({ assert }) => {
    const upright = roiFromAlignment([640, 400], [640, 200])
    assert.closeTo(upright.rotation, 0, 1e-9)
    assert.closeTo(upright.size, 2 * 200 * 1.25, 1e-9)
    // Head to the right: the crop's "up" must point to the right in the frame.
    const lying = roiFromAlignment([640, 400], [840, 400])
    assert.closeTo(lying.rotation, Math.PI / 2, 1e-9)
    const map = roiAffine(lying)
    const top = applyAffine(map, 128, 0)
    assert.closeTo(top[0], 640 + lying.size / 2, 1e-6)
    assert.closeTo(top[1], 400, 1e-6)
    const centre = applyAffine(map, 128, 128)
    assert.closeTo(centre[0], 640, 1e-6)
    assert.closeTo(centre[1], 400, 1e-6)
  })
})

test.group('pose: sampling model inputs', () => {
  test("an upright window (the detector's) samples exactly as the general affine path does", ({
    assert,
  }) => {
    let seed = 7
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647
    for (const [width, height] of [
      [1280, 720],
      [333, 201],
    ]) {
      const data = Buffer.alloc(width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2))
      for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256)
      const frame = { width, height, data }
      // Enlarged, about 1:1, and shrunk 2–6 times (1–3 luma taps a side); inside and across the edges.
      for (const scale of [0.4, 1, 1.6, 4.2, 5.8]) {
        for (const [c, f] of [
          [10, 5],
          [-60, -40],
          [width * 0.7, height * 0.6],
        ]) {
          const map = { a: scale, b: 0, c, d: 0, e: scale, f }
          // A rotation term far below one ulp of the coordinates: the general path, same samples.
          const general = sampleRgb(frame, { ...map, b: 1e-300 }, 64, [-1, 1])
          assert.deepEqual(
            sampleRgb(frame, map, 64, [-1, 1]),
            general,
            `${width}x${height} scale ${scale} at ${c},${f}`
          )
        }
      }
    }
  })
})

test.group('pose: COCO-17', () => {
  test('toCoco17 takes nose, eye centres, ears and the limbs from BlazePose 33', ({ assert }) => {
    const keypoints = BLAZEPOSE_33_NAMES.map(
      (_, i) => [i, 100 + i, i / 33] as [number, number, number]
    )
    const coco = toCoco17(keypoints)
    assert.lengthOf(coco, 17)
    assert.deepEqual(
      coco.map((k) => k[0]),
      [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28]
    )
    assert.deepEqual(coco[1], [2, 102, 2 / 33])
    coco.forEach((k, i) => assert.equal(BLAZEPOSE_33_NAMES[k[0]], COCO_17_NAMES[i]))
    // Copies, not views of the input.
    coco[0][0] = 99
    assert.equal(keypoints[0][0], 0)
    assert.lengthOf(COCO_SKELETON, 19)
    for (const [a, b] of COCO_SKELETON) assert.isTrue(a < 17 && b < 17 && a !== b)
    assert.throws(() => toCoco17(keypoints.slice(0, 17)))
  })
})

test.group('pose: One Euro smoothing', () => {
  /** A repeatable noise in [-1, 1]. */
  function noise(seed: number) {
    let state = seed
    return () => {
      state = (state * 1103515245 + 12345) % 2147483648
      return (state / 2147483648) * 2 - 1
    }
  }

  test('a noisy constant comes out steadier', ({ assert }) => {
    const filter = new OneEuroFilter({ minCutoff: 1, beta: 0.001, dCutoff: 1 })
    const random = noise(7)
    let rawSpread = 0
    let outSpread = 0
    for (let i = 0; i < 300; i++) {
      const raw = 100 + 5 * random()
      const out = filter.filter(raw, i * 33.3)
      if (i >= 30) {
        rawSpread += (raw - 100) ** 2
        outSpread += (out - 100) ** 2
      }
    }
    assert.isBelow(Math.sqrt(outSpread), Math.sqrt(rawSpread) / 2)
  })

  test('a step is followed with bounded lag and no overshoot', ({ assert }) => {
    const filter = new OneEuroFilter({ minCutoff: 1, beta: 0.05, dCutoff: 1 })
    for (let i = 0; i < 30; i++) filter.filter(0, i * 33.3)
    let reached = -1
    for (let i = 30; i < 90; i++) {
      const out = filter.filter(100, i * 33.3)
      assert.isAtMost(out, 100 + 1e-9)
      if (reached < 0 && out >= 90) reached = i - 30
    }
    // Within 10 frames (a third of a second) of the jump.
    assert.isAtLeast(reached, 0)
    assert.isAtMost(reached, 10)
  })

  test('the smoother keeps tracks apart and forgets tracks it stopped seeing', ({ assert }) => {
    const smoother = new KeypointSmoother({ forgetAfterMs: 500 })
    const at = (x: number): [number, number, number][] => [
      [x, 100, 0.9],
      [x + 50, 300, 0.8],
    ]
    smoother.smooth(1, 0, at(100))
    smoother.smooth(2, 0, at(500))
    const still = smoother.smooth(1, 33, at(101))
    assert.closeTo(still[0][0], 100, 1)
    assert.equal(still[0][2], 0.9)
    assert.closeTo(smoother.smooth(2, 33, at(500))[0][0], 500, 1e-9)
    assert.equal(smoother.size, 2)
    // Track 2 unseen for over 500 ms is dropped; track 1 back after a gap starts afresh.
    smoother.smooth(1, 1000, at(300))
    assert.equal(smoother.size, 1)
    assert.deepEqual(smoother.smooth(1, 1033, at(300))[0], [300, 100, 0.9])
    assert.deepEqual(smoother.smooth(3, 2000, at(50))[1], [100, 300, 0.8])
    assert.equal(smoother.size, 1)
  })
})

test.group('pose on shared images', (group) => {
  let models: PoseModels
  const frames = new Map<string, Frame>()
  const frame = async (name: string) => {
    if (!frames.has(name)) frames.set(name, await imageFrame(sharedImage(name)))
    return frames.get(name)!
  }

  group.setup(async () => {
    if (sharedMediaAvailable()) {
      models = await loadPoseModels('lite')
      console.log(`pose models: ${models.backend}`)
    }
    return () => models?.close()
  })

  test('the detector finds every counted person with tiles', async ({ assert }) => {
    const detector = new PoseDetector(models.detector, { tiles: true })
    const found: string[] = []
    for (const [name, people] of Object.entries(PEOPLE)) {
      const detections = await detector.detect(await frame(name))
      const hits = matched(people, detections)
      found.push(`${name}: ${hits}/${people.length} (${detections.length} detections)`)
      assert.equal(hits, people.length, `${name}: ${found.at(-1)}`)
    }
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(300_000)

  test('tiles taken one per keyframe, in turn, find every counted person over a round', async ({
    assert,
  }) => {
    const detector = new PoseDetector(models.detector)
    for (const [name, people] of Object.entries(PEOPLE)) {
      const image = await frame(name)
      const count = tileWindows(image.width, image.height).length
      const seen: PoseDetection[] = []
      for (let turn = 0; turn < count; turn++)
        seen.push(...(await detector.detect(image, { tiles: [turn] })))
      assert.equal(matched(people, seen), people.length, name)
    }
    // A whole round is the same search as all tiles at once.
    const image = await frame('football_match_aic.jpg')
    const all = await detector.detect(image, { tiles: true })
    const round = await detector.detect(image, {
      tiles: tileWindows(image.width, image.height).map((_, i) => i),
    })
    assert.deepEqual(round, all)
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(300_000)

  test('without tiles the whole frame still finds a lone, large person', async ({ assert }) => {
    const detector = new PoseDetector(models.detector)
    for (const name of ['skier_coco785.jpg', 'standing_man_egoblur.jpg']) {
      const detections = await detector.detect(await frame(name))
      assert.equal(matched(PEOPLE[name], detections), 1, name)
      for (const d of detections) assert.isAtLeast(d.score, 0.5)
    }
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(120_000)

  test('landmarks of a standing skier are anatomically ordered and inside her box', async ({
    assert,
  }) => {
    const estimator = new PoseEstimator(models)
    const image = await frame('skier_coco785.jpg')
    const people = await estimator.estimate(image)
    assert.lengthOf(people, 1)
    const [skier] = people
    assert.isAbove(skier.score, 0.5)
    assert.lengthOf(skier.keypoints, 33)
    const k = Object.fromEntries(BLAZEPOSE_33_NAMES.map((name, i) => [name, skier.keypoints[i]]))
    const mid = (a: number[], b: number[]) => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]
    const shoulders = mid(k.left_shoulder, k.right_shoulder)
    const hips = mid(k.left_hip, k.right_hip)
    const knees = mid(k.left_knee, k.right_knee)
    const ankles = mid(k.left_ankle, k.right_ankle)
    assert.isBelow(k.nose[1], shoulders[1])
    assert.isBelow(shoulders[1], hips[1])
    assert.isBelow(hips[1], knees[1])
    assert.isBelow(knees[1], ankles[1])
    // She faces the camera: her left side is on the image's right.
    assert.isAbove(k.left_shoulder[0], k.right_shoulder[0])
    assert.isAbove(k.left_hip[0], k.right_hip[0])
    assert.isAbove(k.left_eye[0], k.right_eye[0])
    for (const name of [
      'nose',
      'left_shoulder',
      'right_shoulder',
      'left_hip',
      'right_hip',
      'left_ankle',
      'right_ankle',
    ]) {
      assert.isAbove(k[name][2], 0.5, `${name} visible`)
    }
    // Every visible keypoint lies in the person box counted by eye and in the result's bbox.
    const [counted] = PEOPLE['skier_coco785.jpg']
    const box = skier.bbox
    for (const [x, y, visibility] of skier.keypoints) {
      if (visibility < 0.5) continue
      assert.isTrue(contains(counted, [x, y]), `keypoint ${x},${y} outside the counted box`)
      assert.isTrue(
        contains({ x: box.x - 1, y: box.y - 1, width: box.width + 2, height: box.height + 2 }, [
          x,
          y,
        ])
      )
    }
    // She is about 530 pixels tall in the frame.
    assert.closeTo(ankles[1] - k.nose[1], 470, 70)

    // Followed without the detector: from last frame's box and from the model's own next region.
    for (const hint of [skier.bbox, skier.next]) {
      const [again] = await estimator.estimate(image, [hint])
      assert.exists(again)
      const drift = Math.hypot(again.keypoints[0][0] - k.nose[0], again.keypoints[0][1] - k.nose[1])
      assert.isBelow(drift, 20)
    }
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(120_000)

  test('the estimator gives one skeleton per person on a multi-person image', async ({
    assert,
  }) => {
    const estimator = new PoseEstimator(models, { tiles: true })
    const people = await estimator.estimate(await frame('football_match_aic.jpg'))
    const counted = PEOPLE['football_match_aic.jpg']
    // Each counted person has exactly one skeleton whose shoulder centre lies in their box.
    for (const box of counted) {
      const mine = people.filter((p) =>
        contains(box, [
          (p.keypoints[11][0] + p.keypoints[12][0]) / 2,
          (p.keypoints[11][1] + p.keypoints[12][1]) / 2,
        ])
      )
      assert.lengthOf(mine, 1)
    }
    assert.isAtMost(people.length, counted.length + 1)
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(120_000)

  test('two people are followed frame to frame without the detector', async ({ assert }) => {
    const clip = join(SHARED_MEDIA, 'two_people_indoor_1280x720_3s.mp4')
    const estimator = new PoseEstimator(models, { tiles: true })
    const smoother = new KeypointSmoother()
    // The man in the striped T-shirt on the left, the man in the dark jacket; before they embrace (~1.6 s).
    const men: Box[] = [
      { x: 430, y: 170, width: 190, height: 440 },
      { x: 605, y: 150, width: 145, height: 440 },
    ]
    const first = await estimator.estimate(await imageFrame(clip, 1280, 720, 0))
    const torso = (p: { keypoints: [number, number, number][] }): [number, number] => [
      (p.keypoints[11][0] + p.keypoints[12][0] + p.keypoints[23][0] + p.keypoints[24][0]) / 4,
      (p.keypoints[11][1] + p.keypoints[12][1] + p.keypoints[23][1] + p.keypoints[24][1]) / 4,
    ]
    let tracked = men.map((box) => first.find((p) => contains(box, torso(p))))
    assert.isTrue(tracked.every(Boolean), 'both men are detected in the first frame')
    for (let step = 1; step <= 6; step++) {
      const timeMs = step * 200
      const later = await imageFrame(clip, 1280, 720, timeMs / 1000)
      const people = await estimator.estimate(
        later,
        tracked.map((p) => p!.next)
      )
      tracked = tracked.map((previous) => {
        // The same man is the one whose nose moved least; people walk a few pixels a frame.
        const nearest = people.reduce((a, b) =>
          distance(a.keypoints[0], previous!.keypoints[0]) <
          distance(b.keypoints[0], previous!.keypoints[0])
            ? a
            : b
        )
        assert.isBelow(
          distance(nearest.keypoints[0], previous!.keypoints[0]),
          80,
          `frame at ${timeMs} ms`
        )
        return nearest
      })
      assert.notStrictEqual(tracked[0], tracked[1])
      tracked.forEach((person, id) => {
        const smoothed = smoother.smooth(id, timeMs, person!.keypoints)
        assert.isBelow(distance(smoothed[0], person!.keypoints[0]), 40)
      })
    }
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(180_000)
})

function distance(a: readonly number[], b: readonly number[]) {
  return Math.hypot(a[0] - b[0], a[1] - b[1])
}
