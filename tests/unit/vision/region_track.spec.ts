import { test } from '@japa/runner'
import { trackRegion, trackingScale, type GreyFrame } from '#workers/vision/anonymize/region_track'

/** A seeded grain (the same every run) so the patch and its surroundings differ. */
function grain(width: number, height: number, seed: number) {
  const data = new Uint8Array(width * height)
  let state = seed
  for (let i = 0; i < data.length; i++) {
    state = (state * 1_103_515_245 + 12_345) & 0x7fffffff
    data[i] = 60 + (state % 60)
  }
  return data
}

/** Frames of a textured square on a grainy background, at `at(frame)` (top-left, small pixels). */
function scene(count: number, at: (frame: number) => { x: number; y: number } | null) {
  const width = 160
  const height = 90
  const background = grain(width, height, 7)
  const square = grain(12, 12, 99).map((value) => value + 100)
  const frames: GreyFrame[] = []
  for (let frame = 0; frame < count; frame++) {
    const data = new Uint8Array(background)
    const where = at(frame)
    if (where)
      for (let y = 0; y < 12; y++)
        for (let x = 0; x < 12; x++) data[(where.y + y) * width + where.x + x] = square[y * 12 + x]
    frames.push({ width, height, data })
  }
  return frames
}

test.group('Vision: following a reviewer’s box', () => {
  test('a drawn box is followed forward and back, in full-size pixels', ({ assert }) => {
    // Moving 1 small pixel a frame right and half down; drawn on frame 10 of 0–20.
    const position = (frame: number) => ({ x: 40 + frame, y: 30 + Math.floor(frame / 2) })
    const frames = scene(21, position)
    const scale = 0.125
    const drawn = {
      x: position(10).x / scale,
      y: position(10).y / scale,
      width: 12 / scale,
      height: 12 / scale,
    }
    const tracked = trackRegion(frames, 100, 110, drawn, scale, { width: 1280, height: 720 })
    assert.deepEqual(
      tracked.map((box) => box.frame),
      Array.from({ length: 21 }, (_, index) => 100 + index)
    )
    assert.deepInclude(tracked[10], {
      frame: 110,
      x: drawn.x,
      y: drawn.y,
      width: drawn.width,
      height: drawn.height,
      lost: false,
    })
    for (const box of tracked) {
      const expected = position(box.frame - 100)
      assert.isFalse(box.lost, `frame ${box.frame} matched`)
      assert.approximately(box.x * scale, expected.x, 1.5, `x at ${box.frame}`)
      assert.approximately(box.y * scale, expected.y, 1.5, `y at ${box.frame}`)
    }
  })

  test('where the patch is gone the box is held (grown), never dropped', ({ assert }) => {
    // Visible on frames 0–5 only.
    const frames = scene(30, (frame) => (frame <= 5 ? { x: 50, y: 40 } : null))
    const scale = 0.125
    const drawn = { x: 400, y: 320, width: 96, height: 96 }
    const tracked = trackRegion(frames, 0, 0, drawn, scale, { width: 1280, height: 720 })
    assert.lengthOf(tracked, 30)
    const late = tracked.filter((box) => box.frame > 5)
    assert.isTrue(late.every((box) => box.lost))
    for (const box of late) {
      // Still over the drawn place, at least as large.
      assert.isAtMost(box.x, drawn.x)
      assert.isAtMost(box.y, drawn.y)
      assert.isAtLeast(box.x + box.width, drawn.x + drawn.width)
      assert.isAtLeast(box.y + box.height, drawn.y + drawn.height)
    }
  })

  test('small boxes are tracked at a larger scale than big ones, within bounds', ({ assert }) => {
    assert.equal(trackingScale({ x: 0, y: 0, width: 40, height: 30 }), 0.5)
    assert.equal(trackingScale({ x: 0, y: 0, width: 128, height: 64 }), 0.25)
    assert.equal(trackingScale({ x: 0, y: 0, width: 1000, height: 700 }), 0.125)
  })
})
