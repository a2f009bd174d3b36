import { test } from '@japa/runner'
import { schemaValidators } from '#tests/helpers/pipeline'
import { MAX_MOMENTS, RISK_CAPS, riskScore, type RiskInputs } from '#workers/vision/risk'

/** A 300-frame clip at 30 fps, detectors every 2nd frame, where nothing went wrong. */
function clean(overrides: Partial<RiskInputs> = {}): RiskInputs {
  return {
    frames: 300,
    keyframes: 150,
    fps: 30,
    framesKeptByTrackingOnly: [],
    framesWithLowConfidence: [],
    peopleWithoutFace: [],
    framesWithUnclassifiedText: [],
    unclassifiedTextReadings: 0,
    ...overrides,
  }
}

test.group('Risk score', () => {
  test('a clip with nothing in its QA report scores 0 with no reasons', ({ assert }) => {
    assert.deepEqual(riskScore(clean()), { score: 0, reasons: [] })
  })

  test('each reason raises the score on its own and names where it happens', ({ assert }) => {
    const cases: [keyof typeof RISK_CAPS, Partial<RiskInputs>][] = [
      ['face_never_seen', { peopleWithoutFace: [{ trackId: 4, frames: [[30, 59]] }] }],
      ['kept_by_tracking', { framesKeptByTrackingOnly: [[30, 59]] }],
      [
        'low_confidence',
        {
          framesWithLowConfidence: [
            [30, 30],
            [32, 32],
          ],
        },
      ],
      [
        'text_unclassified',
        { framesWithUnclassifiedText: [[30, 30]], unclassifiedTextReadings: 2 },
      ],
    ]
    for (const [code, input] of cases) {
      const { score, reasons } = riskScore(clean(input))
      assert.isAbove(score, 0, code)
      assert.lengthOf(reasons, 1, code)
      assert.equal(reasons[0].code, code)
      assert.isAbove(reasons[0].weight, 0)
      assert.isAtMost(reasons[0].weight, RISK_CAPS[code])
      assert.isNotEmpty(reasons[0].message)
      // Frame 30 at 30 fps is the video's second 1.
      assert.equal(reasons[0].frames[0][0], 30)
      assert.equal(reasons[0].times[0][0], 1)
    }
  })

  test('more of a reason scores higher, up to its cap', ({ assert }) => {
    const unseen = (count: number) =>
      riskScore(
        clean({
          peopleWithoutFace: Array.from({ length: count }, (_, trackId) => ({
            trackId,
            frames: [[trackId, trackId] as [number, number]],
          })),
        })
      ).score
    assert.isBelow(unseen(1), unseen(2))
    assert.isBelow(unseen(2), unseen(3))
    assert.equal(unseen(3), RISK_CAPS.face_never_seen)
    assert.equal(unseen(10), RISK_CAPS.face_never_seen)
    const tracked = (last: number) =>
      riskScore(clean({ framesKeptByTrackingOnly: [[0, last]] })).score
    assert.isBelow(tracked(10), tracked(40))
    // A share of the clip's frames: the same share of a longer clip scores the same.
    assert.equal(
      riskScore(clean({ frames: 600, keyframes: 300, framesKeptByTrackingOnly: [[0, 79]] })).score,
      tracked(39)
    )
  })

  test('a clip with several problems outranks one with any single one, and stays within 0–100', ({
    assert,
  }) => {
    const everything = clean({
      frames: 10,
      keyframes: 5,
      peopleWithoutFace: [1, 2, 3, 4].map((trackId) => ({
        trackId,
        frames: [[0, 9] as [number, number]],
      })),
      framesKeptByTrackingOnly: [[0, 9]],
      framesWithLowConfidence: [[0, 9]],
      framesWithUnclassifiedText: [[0, 9]],
      unclassifiedTextReadings: 50,
    })
    const worst = riskScore(everything)
    assert.equal(worst.score, 100)
    assert.deepEqual(
      worst.reasons.map((reason) => reason.code),
      ['face_never_seen', 'kept_by_tracking', 'low_confidence', 'text_unclassified']
    )
    const single = riskScore(clean({ peopleWithoutFace: everything.peopleWithoutFace }))
    const two = riskScore(
      clean({ peopleWithoutFace: everything.peopleWithoutFace, framesKeptByTrackingOnly: [[0, 9]] })
    )
    assert.isAbove(two.score, single.score)
    // Reasons come heaviest first.
    const mixed = riskScore(
      clean({
        peopleWithoutFace: [{ trackId: 1, frames: [[0, 0]] }],
        framesKeptByTrackingOnly: [[0, 299]],
      })
    )
    assert.deepEqual(
      mixed.reasons.map((reason) => reason.code),
      ['kept_by_tracking', 'face_never_seen']
    )
    // Nonsense counts (no frames) neither divide by zero nor go negative.
    const empty = riskScore(
      clean({ frames: 0, keyframes: 0, fps: 0, framesKeptByTrackingOnly: [[0, 3]] })
    )
    assert.equal(empty.score, 0)
  })

  test('moments are the longest ranges first, at most MAX_MOMENTS, in seconds', ({ assert }) => {
    const ranges = Array.from(
      { length: 15 },
      (_, i) => [i * 20, i * 20 + (i % 5)] as [number, number]
    )
    const [reason] = riskScore(clean({ framesKeptByTrackingOnly: ranges })).reasons
    assert.lengthOf(reason.frames, MAX_MOMENTS)
    assert.deepEqual(reason.frames[0], [80, 84])
    // [first, last] frames cover first/fps to (last + 1)/fps seconds.
    assert.deepEqual(reason.times[0], [2.7, 2.8])
  })
})

/** metadata.json as a pipeline before the risk score wrote it (a valid athera.metadata/1 file). */
function oldMetadata() {
  const file = { bytes: 10, sha256: 'a'.repeat(64) }
  return {
    schema: 'athera.metadata/1',
    clipId: 'clip-1',
    sport: 'football',
    tags: [],
    source: {
      format: 'mov',
      codec: 'h264',
      width: 1920,
      height: 1080,
      rotation: 0,
      fps: 30,
      durationSeconds: 3,
      hasAudio: false,
      sizeBytes: 100,
      colorSpace: null,
      colorRange: null,
    },
    output: {
      codec: 'h264',
      width: 1280,
      height: 720,
      fps: 30,
      durationSeconds: 3,
      frameCount: 90,
      audio: false,
    },
    files: { video: file, keypoints: file, thumbnail: file, preview: file },
    consent: { recordId: 1, textVersion: 1 },
    pipeline: { name: 'athera-pipeline', version: '1', ffmpeg: '7' },
    settings: { gop: 30, keepAudio: false, blur: 'gaussian' },
    models: [],
    timings: { probe: 1 },
    anonymization: {
      anonymize: {
        detectedFaces: 3,
        framesFilledByTracking: [[1, 2]],
        framesWithLowConfidence: [],
      },
    },
    pose: {},
    processors: {},
    createdAt: '2026-01-01T00:00:00.000Z',
  }
}

test.group('Risk score in metadata.json', () => {
  test('the schema accepts metadata written before the risk score, and with it', async ({
    assert,
  }) => {
    const { metadata: valid } = await schemaValidators()
    assert.isTrue(valid(oldMetadata()), JSON.stringify(valid.errors))
    const risk = riskScore(
      clean({
        peopleWithoutFace: [{ trackId: 2, frames: [[3, 9]] }],
        framesKeptByTrackingOnly: [[3, 4]],
      })
    )
    const current = oldMetadata()
    Object.assign(current.anonymization.anonymize, {
      framesKeptByTrackingOnly: [[3, 4]],
      peopleWithoutFace: [{ trackId: 2, frames: [[3, 9]] }],
      framesWithUnclassifiedText: [],
      unclassifiedTextReadings: 0,
      risk,
    })
    assert.isTrue(valid(current), JSON.stringify(valid.errors))
  })

  test('the schema refuses a risk score out of range or a reason without its moments', async ({
    assert,
  }) => {
    const { metadata: valid } = await schemaValidators()
    const withRisk = (risk: unknown) => {
      const metadata = oldMetadata()
      Object.assign(metadata.anonymization.anonymize, { risk })
      return metadata
    }
    assert.isFalse(valid(withRisk({ score: 140, reasons: [] })))
    assert.isFalse(
      valid(
        withRisk({
          score: 20,
          reasons: [{ code: 'face_never_seen', message: 'x', weight: 20, frames: [] }],
        })
      )
    )
    assert.isFalse(
      valid(
        withRisk({
          score: 20,
          reasons: [{ code: 'made_up', message: 'x', weight: 20, frames: [], times: [] }],
        })
      )
    )
  })
})
