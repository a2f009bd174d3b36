import { test } from '@japa/runner'
import { BoxTracker, iou, type TrackedBox } from '#workers/vision/anonymize/track'
import type { Detection } from '#workers/vision/types'

function box(x: number, y: number, size = 40, score = 0.9): Detection {
  return { x, y, width: size, height: size, score }
}

function centre(b: { x: number; y: number; width: number; height: number }) {
  return [b.x + b.width / 2, b.y + b.height / 2]
}

test.group('BoxTracker', () => {
  test('a moving box keeps one id and its returned box follows it, grown by the margin', ({
    assert,
  }) => {
    const tracker = new BoxTracker({ margin: 0.1, smoothing: 0 })
    let last: TrackedBox[] = []
    for (let f = 0; f < 10; f++) last = tracker.update(f, [box(100 + 8 * f, 200, 40)])
    assert.lengthOf(last, 1)
    assert.equal(last[0].trackId, 1)
    assert.isTrue(last[0].detected)
    assert.closeTo(last[0].width, 48, 0.01)
    assert.deepEqual(centre(last[0]), centre(box(172, 200, 40)))
    assert.equal(tracker.stats.tracks, 1)
  })

  test('a missed frame is predicted at constant velocity with a wider margin', ({ assert }) => {
    const tracker = new BoxTracker({ margin: 0.1, smoothing: 0 })
    for (let f = 0; f < 5; f++) tracker.update(f, [box(100 + 10 * f, 100, 40)])
    const coasting = tracker.update(5, [])
    assert.lengthOf(coasting, 1)
    assert.isFalse(coasting[0].detected)
    const [cx, cy] = centre(coasting[0])
    assert.closeTo(cx, 150 + 20, 0.5)
    assert.closeTo(cy, 120, 0.5)
    assert.isAbove(coasting[0].width, 48)
    const back = tracker.update(6, [box(160, 100, 40)])
    assert.equal(back[0].trackId, 1)
    assert.isTrue(back[0].detected)
  })

  test('frames between keyframe detections are predicted, and a detection after the gap matches', ({
    assert,
  }) => {
    const tracker = new BoxTracker({ margin: 0, smoothing: 0 })
    tracker.update(0, [box(0, 0, 50)])
    tracker.update(5, [box(50, 25, 50)])
    const between = tracker.predict(7)
    assert.lengthOf(between, 1)
    assert.deepEqual(
      centre(between[0]).map((v) => Math.round(v)),
      [25 + 70, 25 + 35]
    )
    const next = tracker.update(10, [box(100, 50, 50)])
    assert.lengthOf(next, 1)
    assert.equal(next[0].trackId, 1)
  })

  test('a coasting box follows its velocity for three frames, then holds, and grows to at most 1.3 times its size', ({
    assert,
  }) => {
    const tracker = new BoxTracker({ margin: 0, smoothing: 0 })
    // Moving right 10 px a frame and growing 4 px a frame.
    for (let f = 0; f < 4; f++)
      tracker.update(f, [
        {
          x: 100 + 10 * f - 2 * f,
          y: 100 - 2 * f,
          width: 40 + 4 * f,
          height: 40 + 4 * f,
          score: 0.9,
        },
      ])
    const centreAt = (frame: number) => centre(tracker.predict(frame)[0])
    // Last seen centred at x = 150.
    assert.closeTo(centreAt(4)[0], 160, 0.5)
    assert.closeTo(centreAt(6)[0], 180, 0.5)
    // Held from the third frame on, however long the track lives.
    assert.closeTo(centreAt(10)[0], 180, 0.5)
    assert.closeTo(centreAt(15)[0], 180, 0.5)
    const size = tracker.predict(15)[0].width / (1 + 2 * 0.3) // the coast margin at its most
    assert.closeTo(size, 52 + 3 * 4, 0.5)
    // Growing fast (10 px a frame): capped at 1.3 times its size when last detected.
    const growing = new BoxTracker({ margin: 0, smoothing: 0 })
    growing.update(0, [box(100, 100, 20)])
    growing.update(1, [box(95, 95, 30)])
    assert.closeTo(growing.predict(4)[0].width / (1 + 2 * 0.09), 30 * 1.3, 0.5)
  })

  test('a small fast box that no longer overlaps its last position still matches by centre distance', ({
    assert,
  }) => {
    const tracker = new BoxTracker()
    tracker.update(0, [box(100, 100, 12)])
    const next = tracker.update(1, [box(118, 100, 12)])
    assert.lengthOf(next, 1)
    assert.equal(next[0].trackId, 1)
  })

  test('two boxes crossing each other keep their ids', ({ assert }) => {
    const tracker = new BoxTracker({ smoothing: 0.3 })
    const ids = new Map<number, number>()
    for (let f = 0; f <= 20; f++) {
      const a = box(100 + 10 * f, 100, 40)
      const b = box(300 - 10 * f, 110, 40)
      const boxes = tracker.update(f, [a, b])
      assert.lengthOf(boxes, 2)
      for (const tracked of boxes) {
        // Which detection is this track on now: the one moving right or the one moving left?
        const onA = iou(tracked, a) > iou(tracked, b)
        const id = onA ? 0 : 1
        if (!ids.has(tracked.trackId)) ids.set(tracked.trackId, id)
        if (f !== 10)
          assert.equal(ids.get(tracked.trackId), id, `frame ${f}: track ${tracked.trackId} swapped`)
      }
    }
    assert.equal(tracker.stats.tracks, 2)
  })

  test('unmatched gives where each track no detection matches is expected, without margins', ({
    assert,
  }) => {
    const tracker = new BoxTracker({ margin: 0.2, smoothing: 0, maxMissed: 4 })
    tracker.update(0, [box(100, 100, 40), box(400, 100, 40), box(700, 100, 40)])
    tracker.update(2, [box(110, 100, 40), box(400, 100, 40), box(700, 100, 40)])
    // The first moves 5 px a frame: at frame 4 it is expected at x 120, unmargined.
    const lost = tracker.unmatched(4, [box(402, 101, 40)])
    assert.sameDeepMembers(
      lost.map((b) => [Math.round(b.x), Math.round(b.y), Math.round(b.width)]),
      [
        [120, 100, 40],
        [700, 100, 40],
      ]
    )
    // It only asks: the tracks are as they were, and all three are still followed.
    assert.lengthOf(tracker.predict(4), 3)
    // A track past maxMissed is not looked for.
    assert.deepEqual(tracker.unmatched(7, []), [])
  })

  test('a track expires maxMissed frames after its last detection', ({ assert }) => {
    const tracker = new BoxTracker({ maxMissed: 3 })
    tracker.update(0, [box(10, 10)])
    assert.lengthOf(tracker.predict(3), 1)
    assert.lengthOf(tracker.predict(4), 0)
    const again = tracker.update(5, [box(10, 10)])
    assert.equal(again[0].trackId, 2)
    assert.equal(tracker.stats.tracks, 2)
    assert.equal(tracker.stats.active, 1)
  })

  test('smoothing damps jitter of a still box', ({ assert }) => {
    const raw = new BoxTracker({ smoothing: 0, margin: 0 })
    const smooth = new BoxTracker({ smoothing: 0.5, margin: 0 })
    let rawSpread = 0
    let smoothSpread = 0
    for (let f = 0; f < 30; f++) {
      const jitter = f % 2 === 0 ? 3 : -3
      const d = box(200 + jitter, 200, 60)
      if (f < 10) {
        raw.update(f, [d])
        smooth.update(f, [d])
        continue
      }
      rawSpread = Math.max(rawSpread, Math.abs(centre(raw.update(f, [d])[0])[0] - 230))
      smoothSpread = Math.max(smoothSpread, Math.abs(centre(smooth.update(f, [d])[0])[0] - 230))
    }
    assert.isBelow(smoothSpread, rawSpread)
  })

  test("assigned tells which track each detection went to, in the detections' order", ({
    assert,
  }) => {
    const tracker = new BoxTracker({ margin: 0, smoothing: 0 })
    tracker.update(0, [box(100, 100), box(400, 100)])
    assert.deepEqual(tracker.assigned, [1, 2])
    // The same two people listed the other way round, plus a newcomer.
    tracker.update(1, [box(404, 100), box(700, 300), box(104, 100)])
    assert.deepEqual(tracker.assigned, [2, 3, 1])
  })
})
