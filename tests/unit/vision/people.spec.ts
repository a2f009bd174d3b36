import { test } from '@japa/runner'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SKIP_WITHOUT_MEDIA, imageFrame, sharedMediaAvailable } from '#tests/helpers/media'
import { shortSideSquares, iou } from '#workers/vision/geometry'
import { modelPath } from '#workers/vision/models'
import { PersonDetector, decodeCenterNet, suppress } from '#workers/vision/people/detector'
import { VisionRuntime } from '#workers/vision/runtime/runtime'
import type { Box, Model } from '#workers/vision/types'

/** CenterNet-shaped outputs (side × side × classes heatmap, side × side × 4 sizes) with cells set. */
function outputs(
  side: number,
  classes: number,
  cells: { row: number; col: number; cls: number; score: number; ltrb?: number[] }[]
) {
  const heatmap = new Float32Array(side * side * classes)
  const sizes = new Float32Array(side * side * 4)
  for (const { row, col, cls, score, ltrb } of cells) {
    heatmap[(row * side + col) * classes + cls] = score
    if (ltrb) sizes.set(ltrb, (row * side + col) * 4)
  }
  return { heatmap, sizes }
}

test.group('People by their whole body (CenterNet)', () => {
  test('peaks of the person class become boxes around their cell; neighbours, other classes and weak cells do not', ({
    assert,
  }) => {
    const { heatmap, sizes } = outputs(8, 3, [
      // A person at cell (2, 3): stride 4 puts it at (12, 8) in input pixels.
      { row: 2, col: 3, cls: 0, score: 0.8, ltrb: [5, 6, 7, 20] },
      // Its weaker neighbour is the same person, not a peak.
      { row: 2, col: 4, cls: 0, score: 0.5, ltrb: [5, 6, 7, 20] },
      // A second person, far away, above the threshold.
      { row: 6, col: 6, cls: 0, score: 0.35, ltrb: [2, 2, 2, 2] },
      // Too weak, and another class (a ball) however strong.
      { row: 0, col: 7, cls: 0, score: 0.2, ltrb: [1, 1, 1, 1] },
      { row: 4, col: 0, cls: 1, score: 0.99, ltrb: [1, 1, 1, 1] },
    ])
    const found = decodeCenterNet(heatmap, sizes, {
      side: 8,
      classes: 3,
      classIndex: 0,
      threshold: 0.3,
    })
    assert.deepEqual(found, [
      { x: 7, y: 2, width: 12, height: 26, score: 0.800000011920929 },
      { x: 22, y: 22, width: 4, height: 4, score: 0.3499999940395355 },
    ])
    // The second image of a batch is read at its offset.
    const two = outputs(8, 3, [])
    const batch = {
      heatmap: new Float32Array(2 * heatmap.length),
      sizes: new Float32Array(2 * sizes.length),
    }
    batch.heatmap.set(two.heatmap)
    batch.heatmap.set(heatmap, heatmap.length)
    batch.sizes.set(two.sizes)
    batch.sizes.set(sizes, sizes.length)
    assert.deepEqual(
      decodeCenterNet(batch.heatmap, batch.sizes, {
        side: 8,
        classes: 3,
        classIndex: 0,
        threshold: 0.3,
        offset: 64,
      }),
      found
    )
    assert.deepEqual(
      decodeCenterNet(batch.heatmap, batch.sizes, {
        side: 8,
        classes: 3,
        classIndex: 0,
        threshold: 0.3,
      }),
      []
    )
  })

  test('one person seen twice keeps the better box; two people side by side stay two', ({
    assert,
  }) => {
    const a = { x: 0, y: 0, width: 100, height: 200, score: 0.4 }
    const b = { x: 5, y: 5, width: 100, height: 200, score: 0.6 }
    const c = { x: 90, y: 0, width: 100, height: 200, score: 0.5 }
    assert.deepEqual(suppress([a, b, c], 0.5), [b, c])
  })

  test('squares span the short side of the frame and overlap along the long one', ({ assert }) => {
    assert.deepEqual(shortSideSquares(1280, 720), [
      { x: 0, y: 0, width: 720, height: 720 },
      { x: 560, y: 0, width: 720, height: 720 },
    ])
    assert.deepEqual(
      shortSideSquares(720, 1280).map((s) => s.y),
      [0, 560]
    )
    assert.deepEqual(shortSideSquares(500, 500), [{ x: 0, y: 0, width: 500, height: 500 }])
    const wide = shortSideSquares(1920, 480)
    assert.lengthOf(wide, 5)
    for (let i = 1; i < wide.length; i++)
      assert.isAtLeast(wide[i - 1].x + 480 - wide[i].x, 60, 'an eighth of overlap at least')
    assert.equal(wide.at(-1)!.x + 480, 1920)
  })

  test('a model without the expected outputs is refused with what it gave', async ({ assert }) => {
    const model: Model = {
      name: 'odd',
      inputNames: ['x'],
      outputNames: ['y'],
      run: async () => ({ y: { data: new Float32Array(1), dims: [1] } }),
    }
    const frame = await blankFrame()
    await assert.rejects(
      () => new PersonDetector(model).detect(frame, [{ x: 0, y: 0, width: 64, height: 64 }]),
      /outputs tower_0\/keypoints and tower_0\/wh expected, got y/
    )
    assert.deepEqual(await new PersonDetector(model).detect(frame, []), [], 'no squares, no run')
  })
})

test.group('People by their whole body on the shared images', (group) => {
  let runtime: VisionRuntime
  let detector: PersonDetector
  let cache: string
  group.setup(async () => {
    if (!sharedMediaAvailable()) return () => {}
    cache = await mkdtemp(join(tmpdir(), 'athera-people-'))
    runtime = new VisionRuntime({ threads: 2 })
    detector = new PersonDetector(
      await runtime.load('person-centernet', await modelPath('person-centernet', cache))
    )
    return async () => {
      await runtime.close()
      await rm(cache, { recursive: true, force: true })
    }
  })

  test('every player of the Honduras match is boxed, the one whose face the ball hides too')
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const frame = await imageFrame('football_numbers_ochuman003799.jpg')
      const people = await detector.detect(frame, shortSideSquares(frame.width, frame.height))
      // Drawn by eye in the letterboxed frame (as in text.spec.ts): the red player with the ball at
      // his chest, the Honduras player behind the ball, and the two out-of-focus players behind.
      const players: Box[] = [
        { x: 480, y: 100, width: 240, height: 620 },
        { x: 595, y: 130, width: 270, height: 575 },
        { x: 325, y: 135, width: 155, height: 455 },
        { x: 845, y: 150, width: 120, height: 340 },
      ]
      for (const player of players) {
        const best = Math.max(0, ...people.map((person) => iou(person, player)))
        assert.isAtLeast(
          best,
          0.5,
          `player at ${player.x},${player.y}: best IoU ${best.toFixed(2)} among ${JSON.stringify(people.map(round))}`
        )
      }
      // The Honduras shirt number lies inside one of the boxes, which is what the text reader needs.
      const three = { x: 748, y: 348 }
      assert.isTrue(
        people.some(
          (p) =>
            three.x > p.x && three.x < p.x + p.width && three.y > p.y && three.y < p.y + p.height
        )
      )
      // The stands full of spectators are not boxed as people one by one at this size.
      assert.isAtMost(people.length, 10, JSON.stringify(people.map(round)))
    })
})

const round = (box: Box & { score?: number }) =>
  [box.x, box.y, box.width, box.height, box.score ?? 1].map((v) => Math.round(v * 100) / 100)

async function blankFrame() {
  const width = 64
  const height = 64
  return {
    index: 0,
    timeMs: 0,
    width,
    height,
    format: 'yuv420p' as const,
    data: Buffer.alloc((width * height * 3) / 2, 128),
  }
}
