import { test } from '@japa/runner'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SKIP_WITHOUT_MEDIA, imageFrame, sharedMediaAvailable } from '#tests/helpers/media'
import type { Frame } from '#workers/pipeline/types'
import { fill, grey, paint, rgbToYuv } from '#workers/video/yuv'
import { toRgb } from '#workers/video/sample/crop'
import { modelPath, packageFile, TEXT_DICTIONARY } from '#workers/vision/models'
import { VisionRuntime } from '#workers/vision/runtime/runtime'
import { dbBoxes, detectorInput, placeRegion, toFrame } from '#workers/vision/text/detect'
import { numberLike, TextDetector, type TextDetection } from '#workers/vision/text/detector'
import {
  aboveNumber,
  blurredIn,
  classifyReadings,
  nameLike,
  onTorso,
  sameWord,
  wordKey,
  type Reading,
} from '#workers/vision/text/classify'
import { DEFAULT_VISION_SETTINGS, TEXT_MODES } from '#workers/vision/settings'
import {
  ctcClasses,
  ctcDecode,
  loadDictionary,
  recognizerWidth,
} from '#workers/vision/text/recognize'
import type { Box, Model } from '#workers/vision/types'
import { iou } from '#workers/vision/geometry'

function blankFrame(width = 1280, height = 720): Frame {
  return {
    index: 0,
    timeMs: 0,
    width,
    height,
    format: 'yuv420p',
    data: Buffer.alloc((width * height * 3) / 2),
  }
}

/** A probability map with rectangles of constant probability. */
function probabilityMap(width: number, height: number, blobs: { box: Box; p: number }[]) {
  const map = new Float32Array(width * height).fill(0.01)
  for (const { box, p } of blobs) {
    for (let y = box.y; y < box.y + box.height; y++)
      map.fill(p, y * width + box.x, y * width + box.x + box.width)
  }
  return map
}

test.group('Text detection: DB post-processing', () => {
  test('two strong blobs give two grown boxes, a weak and a tiny blob none', ({ assert }) => {
    const map = probabilityMap(96, 64, [
      { box: { x: 10, y: 10, width: 20, height: 6 }, p: 0.9 },
      { box: { x: 50, y: 30, width: 8, height: 16 }, p: 0.8 },
      // Above the pixel threshold (0.3) but below the box threshold (0.6): a faint texture.
      { box: { x: 70, y: 5, width: 12, height: 12 }, p: 0.45 },
      // Strong but thinner than the minimum size: noise.
      { box: { x: 80, y: 50, width: 10, height: 2 }, p: 0.95 },
    ])
    const boxes = dbBoxes(map, 96, 64)
    assert.lengthOf(boxes, 2)
    const [first, second] = boxes
    assert.closeTo(first.score, 0.9, 1e-6)
    assert.closeTo(second.score, 0.8, 1e-6)
    // Grown by area × 1.6 / perimeter on every side: 120 × 1.6 / 52 ≈ 3.7 px.
    const d1 = (120 * 1.6) / 52
    assert.closeTo(first.x, 10 - d1, 1e-6)
    assert.closeTo(first.y, 10 - d1, 1e-6)
    assert.closeTo(first.width, 20 + 2 * d1, 1e-6)
    assert.closeTo(first.height, 6 + 2 * d1, 1e-6)
    const d2 = (128 * 1.6) / 48
    assert.closeTo(second.x, 50 - d2, 1e-6)
    assert.closeTo(second.height, 16 + 2 * d2, 1e-6)
  })

  test('diagonal pixels are one blob; boxes stay inside the searched area', ({ assert }) => {
    const map = new Float32Array(40 * 40).fill(0)
    // A staircase touching only at corners: one line of text under 8-connectivity.
    for (let i = 0; i < 12; i++) for (let t = 0; t < 4; t++) map[(4 + i + t) * 40 + 4 + i] = 0.9
    const boxes = dbBoxes(map, 40, 40)
    assert.lengthOf(boxes, 1)
    assert.isAtLeast(boxes[0].x, 0)
    // Only the top-left 20×20 is content (the rest is padding): the box is clipped to it.
    const clipped = dbBoxes(map, 40, 40, {}, 0, 20, 20)
    assert.lengthOf(clipped, 1)
    assert.isAtMost(clipped[0].x + clipped[0].width, 20)
    assert.isAtMost(clipped[0].y + clipped[0].height, 20)
  })

  test('a map filled with text is walked without recursion', ({ assert }) => {
    const map = new Float32Array(1024 * 1024).fill(0.9)
    const boxes = dbBoxes(map, 1024, 1024)
    assert.lengthOf(boxes, 1)
    assert.equal(boxes[0].width, 1024)
  })

  test('maps of a batch are read at their offsets and mapped back to frame pixels', ({
    assert,
  }) => {
    const second = probabilityMap(64, 32, [{ box: { x: 8, y: 8, width: 16, height: 8 }, p: 0.9 }])
    const batch = new Float32Array(2 * 64 * 32)
    batch.set(second, 64 * 32)
    assert.lengthOf(dbBoxes(batch, 64, 32, {}, 0), 0)
    const [box] = dbBoxes(batch, 64, 32, {}, 64 * 32)
    const placement = placeRegion({ x: 100, y: 200, width: 32, height: 16 }, 64, 2)
    assert.equal(placement.scale, 2)
    const mapped = toFrame(box, placement)
    assert.closeTo(mapped.x, 100 + box.x / 2, 1e-6)
    assert.closeTo(mapped.y, 200 + box.y / 2, 1e-6)
    assert.closeTo(mapped.width, box.width / 2, 1e-6)
  })

  test('the detector input is BGR, ImageNet-normalised, padded with zeros to multiples of 32', ({
    assert,
  }) => {
    const frame = blankFrame(64, 64)
    fill(frame, grey(16))
    const red = rgbToYuv(255, 0, 0)
    paint(frame, red, { x: 0, y: 0, width: 64, height: 64 })
    const placement = placeRegion({ x: 0, y: 0, width: 64, height: 40 }, 40, 1)
    const tensor = detectorInput(frame, [placement], 64, 32)
    assert.deepEqual(tensor.dims, [1, 3, 32, 64])
    const plane = 64 * 32
    // Red: B and G near 0, R near 1 (limited-range rounding leaves a little).
    assert.closeTo(tensor.data[0], (0 - 0.485) / 0.229, 0.1)
    assert.closeTo(tensor.data[2 * plane], (1 - 0.406) / 0.225, 0.1)
    // Row 25 lies below the 25-row content: padding.
    assert.equal(tensor.data[26 * 64 + 3], 0)
    assert.throws(() => detectorInput(frame, [placement], 60, 32))
  })

  test("every detector input value is its pixel's byte normalised, in BGR order", ({ assert }) => {
    const frame = blankFrame(96, 64)
    let seed = 3
    for (let i = 0; i < frame.data.length; i++)
      frame.data[i] = 16 + ((seed = (seed * 16807) % 2147483647) % 224)
    const placement = placeRegion({ x: 5, y: 3, width: 80, height: 50 }, 120, 2)
    const tensor = detectorInput(frame, [placement], 128, 96)
    const rgb = toRgb(
      frame,
      placement.crop,
      { width: placement.width, height: placement.height },
      { sampling: 'bilinear' }
    )
    const plane = 128 * 96
    const [mean, std] = [
      [0.485, 0.456, 0.406],
      [0.229, 0.224, 0.225],
    ]
    for (let row = 0; row < placement.height; row++) {
      for (let col = 0; col < placement.width; col++) {
        const i = (row * placement.width + col) * 3
        for (const [channel, byte] of [rgb[i + 2], rgb[i + 1], rgb[i]].entries()) {
          const expected = Math.fround((byte / 255 - mean[channel]) / std[channel])
          assert.equal(
            tensor.data[channel * plane + row * 128 + col],
            expected,
            `channel ${channel} at ${col},${row}`
          )
        }
      }
    }
  })
})

test.group('Text recognition: CTC', () => {
  test('greedy decoding merges repeats, drops blanks and averages kept confidences', ({
    assert,
  }) => {
    const dictionary = ctcClasses(['1', '0', '7'])
    assert.deepEqual(dictionary, ['', '1', '0', '7', ' '])
    const classes = dictionary.length
    // Steps: 1 1 blank 1 0 0 blank blank 7 → "1107".
    const best = [1, 1, 0, 1, 2, 2, 0, 0, 3]
    const probs = new Float32Array(best.length * classes)
    best.forEach((c, t) => {
      for (let k = 0; k < classes; k++) probs[t * classes + k] = 0.05
      probs[t * classes + c] = t === 4 ? 0.5 : 0.9
    })
    const decoded = ctcDecode(probs, best.length, classes, dictionary)
    assert.equal(decoded.text, '1107')
    assert.closeTo(decoded.score, (0.9 + 0.9 + 0.5 + 0.9) / 4, 1e-6)
    // The second sequence of a batch is read at its offset.
    const batch = new Float32Array(2 * probs.length)
    batch.set(probs, probs.length)
    assert.equal(ctcDecode(batch, best.length, classes, dictionary, probs.length).text, '1107')
    assert.deepEqual(ctcDecode(new Float32Array(3 * classes).fill(0), 3, classes, dictionary), {
      text: '',
      score: 0,
    })
  })

  test('recogniser widths keep the aspect in multiples of 8 and are capped', ({ assert }) => {
    assert.equal(recognizerWidth(20, 48, 320), 24)
    assert.equal(recognizerWidth(100, 24, 320), 200)
    assert.equal(recognizerWidth(1000, 20, 320), 320)
    assert.equal(recognizerWidth(1, 100, 320), 16)
  })

  test('number-like readings', ({ assert }) => {
    for (const text of ['10', '7', '1234', 'No. 9', 'B', 'O7', 'S5'])
      assert.isTrue(numberLike(text), text)
    for (const text of ['', 'Jeep', 'VIESSMANN', 'Phillies', 'unicef'])
      assert.isFalse(numberLike(text), text)
  })

  test('loadDictionary reads one entry a line, keeping a space entry', async ({ assert }) => {
    const dir = await mkdtemp(join(tmpdir(), 'athera-text-'))
    try {
      await writeFile(join(dir, 'keys.txt'), 'a\r\n \nb\n')
      assert.deepEqual(await loadDictionary(join(dir, 'keys.txt')), ['a', ' ', 'b'])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('no regions means no model run and nothing found', async ({ assert }) => {
    const refuse: Model = {
      name: 'refuse',
      inputNames: ['x'],
      outputNames: ['y'],
      run: () => Promise.reject(new Error('must not run')),
    }
    const detector = new TextDetector({ detector: refuse, recognizer: refuse }, ['1'])
    assert.deepEqual(await detector.detect(blankFrame(), []), [])
  })
})

/** A reading at `[x, y, width, height]`, read with confidence `textScore`. */
function reading(
  text: string,
  [x, y, width, height]: number[],
  textScore = 0.95,
  score = 0.95
): Reading {
  return { text, x, y, width, height, textScore, score }
}

test.group('Text classification: numbers, names, the rest', () => {
  test('names are one or two words of mostly capital letters, 3 to 20 of them', ({ assert }) => {
    for (const text of [
      'SCHIERH',
      'MESSI',
      'VAN DIJK',
      "O'NEIL",
      'ALEXANDER-ARNOLD',
      'EILEEN M. COLLINS',
      'MÜLLER',
      'KOVAČ',
      'SCHIERHo',
      'COLIS',
    ])
      assert.isTrue(nameLike(text), text)
    for (const text of [
      // Logo case: brands and team scripts.
      'Jeep',
      'unicef',
      'Phillies',
      'Standout',
      'WEEKmedia',
      'adidas',
      // Not a word or two: a sign's line, a fragment, a spelled-out sentence.
      'ROYAL OPERA HOUSE',
      'AB',
      'KEEP RIGHT NOW',
      // Digits, other scripts, marks.
      'EL2817G',
      'A1',
      '市',
      '福心',
      '---',
      '',
    ])
      assert.isFalse(nameLike(text), text)
    // Letters that look the same in both cases do not decide: "SOX" read as "sox" is capitals.
    assert.isTrue(nameLike('sox'))
  })

  test('a name is worn between the shoulders and the waist, narrower than the body', ({
    assert,
  }) => {
    const person = { x: 100, y: 100, width: 200, height: 600 }
    // Back name just under the collar; chest tag off centre.
    assert.isTrue(onTorso({ x: 140, y: 160, width: 120, height: 40 }, person))
    assert.isTrue(onTorso({ x: 200, y: 250, width: 50, height: 20 }, person))
    // On the legs, on a stretched arm, wider than the person, or off them.
    assert.isFalse(onTorso({ x: 150, y: 600, width: 80, height: 40 }, person))
    assert.isFalse(onTorso({ x: 90, y: 250, width: 20, height: 20 }, person))
    assert.isFalse(onTorso({ x: 60, y: 200, width: 280, height: 50 }, person))
    assert.isFalse(onTorso({ x: 600, y: 200, width: 80, height: 40 }, person))
  })

  test("a word right above a number is how a shirt's back is laid out", ({ assert }) => {
    const name = { x: 1054, y: 497, width: 199, height: 97 }
    // The fans image: "SCHIERH" over "22" (the boxes overlap: both are padded).
    assert.isTrue(aboveNumber(name, { x: 1082, y: 549, width: 198, height: 171 }))
    // Beside it, above it, or far below it: not.
    assert.isFalse(aboveNumber(name, { x: 1300, y: 560, width: 60, height: 80 }))
    assert.isFalse(aboveNumber(name, { x: 1100, y: 380, width: 60, height: 80 }))
    assert.isFalse(aboveNumber(name, { x: 1100, y: 900, width: 60, height: 80 }))
  })

  test('one word read twice, letters dropped or swapped, is the same word; a name extending another is not', ({
    assert,
  }) => {
    assert.equal(wordKey('Viess-mann 2'), 'VIESSMANN')
    // Readings of VIESSMANN on the ski bibs.
    assert.isTrue(sameWord('VIEMANN', 'VIESSMANN'))
    assert.isTrue(sameWord('VIEBMANN', 'VIEMAN'))
    assert.isTrue(sameWord('VIMAN', 'VIEMAN'))
    assert.isFalse(sameWord('VIEMAN', 'VIESSMANN'))
    assert.isFalse(sameWord('MARTIN', 'MARTINEZ'))
    assert.isFalse(sameWord('LEE', 'LEA'))
    assert.isFalse(sameWord('', ''))
  })

  test('readings of one frame: numbers, a name on a person, sponsors and scripts left', ({
    assert,
  }) => {
    const player = { x: 100, y: 100, width: 200, height: 600 }
    const readings = [
      reading('MESSI', [150, 170, 100, 40]),
      reading('10', [160, 220, 80, 100], 0.99),
      reading('Jeep', [150, 300, 100, 40]),
      // A capitals word on the legs: a brand on the shorts or a country on a suit.
      reading('BELARUS', [160, 560, 80, 20]),
      // A capitals name-like word on nobody: a board or sign.
      reading('STOP', [900, 100, 60, 30]),
      // A short unsure blob is a number in a stylised font rather than a logo.
      reading('Pe', [150, 400, 30, 30], 0.64, 0.98),
      // Letters the recogniser is unsure of are not a name.
      reading('COLIS', [160, 400, 50, 20], 0.4),
    ]
    const { kinds, repeated } = classifyReadings(readings, [player])
    assert.deepEqual(kinds, ['name', 'number', 'other', 'other', 'other', 'number', 'other'])
    assert.deepEqual(repeated, [])
  })

  test('a capitals word on two people is a sponsor, remembered; a name-like word on nobody counts over a number', ({
    assert,
  }) => {
    const people = [
      { x: 0, y: 100, width: 200, height: 500 },
      { x: 400, y: 100, width: 200, height: 500 },
    ]
    const sponsor = [
      reading('VIESSMANN', [40, 200, 120, 30]),
      reading('VIEMANN', [440, 200, 120, 30]),
    ]
    const first = classifyReadings(sponsor, people)
    assert.deepEqual(first.kinds, ['other', 'other'])
    assert.deepEqual(first.repeated, ['VIESSMANN', 'VIEMANN'])
    // Later, one person read alone: the word is known to be on several people.
    assert.deepEqual(
      classifyReadings([reading('VIESMANN', [40, 200, 120, 30])], [people[0]], first.repeated)
        .kinds,
      ['other']
    )
    assert.deepEqual(
      classifyReadings([reading('VIESMANN', [40, 200, 120, 30])], [people[0]]).kinds,
      ['name']
    )
    // Two readings of one name that overlap (two passes over one back) are not a repetition.
    const twice = [
      reading('SCHIERHOLTZ', [40, 200, 140, 30]),
      reading('SCHIERHOLZ', [50, 205, 130, 30]),
    ]
    assert.deepEqual(classifyReadings(twice, people).kinds, ['name', 'name'])
    // A back no person detector boxed: the name sits over the number.
    const back = [
      reading('SCHIERH', [1054, 497, 199, 97], 0.99),
      reading('22', [1082, 549, 198, 171], 0.96),
    ]
    assert.deepEqual(classifyReadings(back, []).kinds, ['name', 'number'])
    assert.deepEqual(classifyReadings([back[0]], []).kinds, ['other'])
  })

  test('what each text mode blurs', ({ assert }) => {
    assert.deepEqual([...TEXT_MODES], ['numbers', 'identifying', 'all'])
    const blurs = (mode: (typeof TEXT_MODES)[number]) =>
      (['number', 'name', 'other'] as const).filter((kind) => blurredIn(mode, kind))
    assert.deepEqual(blurs('numbers'), ['number'])
    assert.deepEqual(blurs('identifying'), ['number', 'name'])
    assert.deepEqual(blurs('all'), ['number', 'name', 'other'])
    // Names are blurred unless a league asks for numbers only.
    assert.equal(DEFAULT_VISION_SETTINGS.text.mode, 'identifying')
  })
})

/** A shirt number seen on a shared image (1280×720 letterboxed frame pixels). */
interface Truth {
  text: string
  box: Box
  /** Whether the recogniser is expected to read it (clear, unoccluded). */
  legible: boolean
}

interface Scene {
  image: string
  /** People as a pose detector would give them (drawn by hand here). */
  people: [number, number, number, number][]
  numbers: Truth[]
}

/**
 * Every shirt number and bib number visible on these images, counted by eye; numbers left out
 * are said so, with why. The person boxes stand in for the pose detector's.
 */
const SCENES: Scene[] = [
  {
    image: 'baseball_numbers_coco196141.jpg',
    people: [
      [375, 120, 435, 505],
      [860, 345, 300, 350],
      [160, 115, 60, 160],
      [1030, 165, 95, 195],
      [835, 115, 35, 70],
    ],
    numbers: [
      // On the batter's back, folded by the swing.
      { text: '8', box: { x: 688, y: 232, width: 32, height: 70 }, legible: false },
      // On the catcher's back, crossed by the chest-protector strap (read as "13" or "113").
      { text: '33', box: { x: 1020, y: 445, width: 98, height: 75 }, legible: false },
    ],
  },
  {
    image: 'football_numbers_ochuman003799.jpg',
    // The two players behind are out of focus: their numbers cannot be read, so are not counted.
    people: [
      [480, 100, 240, 620],
      [595, 130, 270, 575],
      [325, 135, 155, 455],
      [845, 150, 120, 340],
    ],
    numbers: [
      { text: '6', box: { x: 592, y: 248, width: 26, height: 40 }, legible: true },
      { text: '6', box: { x: 530, y: 420, width: 24, height: 40 }, legible: true },
      { text: '3', box: { x: 738, y: 330, width: 20, height: 36 }, legible: true },
    ],
  },
  {
    image: 'ski_race_bibs_coco197388.jpg',
    // The front skier's bib number is hidden under a logo and his arm, the red skier shows his back.
    people: [
      [52, 80, 200, 410],
      [360, 185, 360, 420],
      [580, 110, 140, 300],
      [1040, 90, 190, 330],
      [730, 320, 500, 400],
    ],
    numbers: [
      { text: '17', box: { x: 94, y: 196, width: 32, height: 22 }, legible: false },
      // Black on red under the sponsor band: the detector never fires on it (the known miss).
      { text: '4', box: { x: 596, y: 302, width: 30, height: 26 }, legible: false },
      { text: '20', box: { x: 1102, y: 214, width: 40, height: 26 }, legible: true },
    ],
  },
  {
    image: 'fans_crowd_jerseys_retinaface.jpg',
    people: [
      [960, 345, 270, 375],
      [840, 230, 250, 390],
      [680, 90, 200, 490],
      [420, 220, 220, 500],
      [310, 420, 220, 300],
      [100, 480, 200, 240],
      [520, 370, 260, 350],
    ],
    numbers: [
      { text: '22', box: { x: 1115, y: 575, width: 115, height: 120 }, legible: true },
      // On the sleeve of the grey jersey, partly turned away.
      { text: '3', box: { x: 1058, y: 416, width: 26, height: 32 }, legible: true },
    ],
  },
  {
    image: 'football_match_aic.jpg',
    people: [
      [150, 90, 545, 620],
      [885, 10, 290, 670],
      [655, 15, 165, 530],
    ],
    numbers: [
      { text: '2', box: { x: 508, y: 432, width: 30, height: 26 }, legible: true },
      // On the blue player's shorts, half under his hand.
      { text: '22', box: { x: 958, y: 368, width: 55, height: 50 }, legible: false },
    ],
  },
]

function covers(found: Box, truth: Box) {
  const cx = truth.x + truth.width / 2
  const cy = truth.y + truth.height / 2
  return (
    iou(found, truth) >= 0.3 ||
    (cx >= found.x && cx <= found.x + found.width && cy >= found.y && cy <= found.y + found.height)
  )
}

test.group('Text detection on shared images', (group) => {
  const runtime = new VisionRuntime({ threads: 2 })
  let models: { detector: Model; recognizer: Model }
  let dictionary: string[]
  group.setup(async () => {
    const cache = join(tmpdir(), 'athera-text-models')
    models = {
      detector: await runtime.load('text-detector', await modelPath('text-detector', cache)),
      recognizer: await runtime.load('text-recognizer', await modelPath('text-recognizer', cache)),
    }
    dictionary = await loadDictionary(packageFile(TEXT_DICTIONARY.package, TEXT_DICTIONARY.file))
    return () => runtime.close()
  })
  group.each.timeout(300_000)

  test('the dictionary matches the recogniser: blank + entries + space', async ({ assert }) => {
    assert.lengthOf(dictionary, 6623)
    const out = await models.recognizer.run({
      x: { data: new Float32Array(3 * 48 * 64), dims: [1, 3, 48, 64] },
    })
    assert.deepEqual(out[models.recognizer.outputNames[0]].dims, [1, 8, dictionary.length + 2])
  })

  test('finds at least 90% of the shirt numbers on person regions and reads the legible ones', async ({
    assert,
  }) => {
    const detector = new TextDetector(models, dictionary)
    let total = 0
    let found = 0
    const misses: string[] = []
    const misread: string[] = []
    for (const scene of SCENES) {
      const frame = await imageFrame(scene.image)
      const people = scene.people.map(([x, y, width, height]) => ({ x, y, width, height }))
      const detections = await detector.detect(frame, people)
      for (const truth of scene.numbers) {
        total++
        const hits = detections.filter((d) => covers(d, truth.box))
        if (!hits.length) {
          misses.push(`${scene.image}: ${truth.text}`)
          continue
        }
        found++
        if (truth.legible && !hits.some((d) => d.text.includes(truth.text))) {
          misread.push(
            `${scene.image}: ${truth.text} read as ${hits.map((d) => JSON.stringify(d.text)).join(', ')}`
          )
        }
      }
      for (const d of detections) assert.isTrue(d.width > 0 && d.height > 0 && d.score >= 0.6)
    }
    assert.equal(total, 12)
    assert.isAtLeast(found / total, 0.9, `missed: ${misses.join('; ')}`)
    assert.deepEqual(misread, [])
  }).skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)

  test('a number high on a bent back is inside the zoomed band (the batter as pose boxes him)', async ({
    assert,
  }) => {
    // The box is the pose step's own for the swinging batter, from his helmet down; his "8" starts 15% down
    // that box, where a band from 15% used to cut it in half and the detector saw nothing.
    const frame = await imageFrame('baseball_numbers_coco196141.jpg')
    const detections = await new TextDetector(models, dictionary).detect(frame, [
      { x: 532.7, y: 170.3, width: 262.6, height: 431.2 },
    ])
    const eight = SCENES[0].numbers[0]
    assert.isTrue(
      detections.some((d) => covers(d, eight.box)),
      JSON.stringify(
        detections.map(({ x, y, width, height, text }) => ({ x, y, width, height, text }))
      )
    )
  }).skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)

  test('numbers mode drops sponsor text that mode all keeps; identifying drops the word on every bib', async ({
    assert,
  }) => {
    const frame = await imageFrame('ski_race_bibs_coco197388.jpg')
    const people = SCENES[2].people.map(([x, y, width, height]) => ({ x, y, width, height }))
    const run = (mode: 'numbers' | 'identifying' | 'all') =>
      new TextDetector(models, dictionary, { mode, zoomHeight: 0 }).detect(frame, people)
    const [all, identifying, numbers] = [
      await run('all'),
      await run('identifying'),
      await run('numbers'),
    ]
    const sponsor = (list: TextDetection[]) => list.filter((d) => /MAN/i.test(d.text))
    assert.isAtLeast(sponsor(all).length, 3)
    assert.lengthOf(sponsor(numbers), 0)
    // The sponsor's word, read on four bibs ("VIMAN", "VIEMAN", "VIEMANA", "VIEBMANN"), is one
    // word on several people: not a name.
    const full = (list: TextDetection[]) => list.filter((d) => /^V.*MAN/.test(wordKey(d.text)))
    assert.isAtLeast(full(all).length, 3)
    assert.lengthOf(full(identifying), 0, JSON.stringify(identifying.map((d) => [d.text, d.kind])))
    for (const list of [all, identifying, numbers])
      assert.isTrue(list.some((d) => d.text === '20' && d.digits && d.kind === 'number'))
  }).skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)

  test("a surname across a player's back is blurred in identifying and all, left in numbers", async ({
    assert,
  }) => {
    // "SCHIERHO…" above the "22" on the right-hand player's back, cut by the image edge
    // (eval/privacy/labels.json, in frame pixels).
    const name = { x: 1058, y: 516, width: 172, height: 70 }
    const frame = await imageFrame('fans_crowd_jerseys_retinaface.jpg')
    const people = SCENES[3].people.map(([x, y, width, height]) => ({ x, y, width, height }))
    const describe = (list: TextDetection[]) =>
      JSON.stringify(
        list.map(({ x, y, width, height, text, kind }) => [
          text,
          kind,
          ...[x, y, width, height].map(Math.round),
        ])
      )
    for (const mode of ['identifying', 'all'] as const) {
      const found = await new TextDetector(models, dictionary, { mode }).detect(frame, people)
      const hit = found.filter((d) => d.kind === 'name' && /SCHIER/.test(d.text) && covers(d, name))
      assert.lengthOf(hit, 1, `${mode}: ${describe(found)}`)
      // A script team name on the chest is not a name: kept in all only.
      assert.equal(
        found.some((d) => /^P.*[il]es$/.test(d.text)),
        mode === 'all',
        `${mode}: ${describe(found)}`
      )
    }
    const numbers = await new TextDetector(models, dictionary, { mode: 'numbers' }).detect(
      frame,
      people
    )
    assert.isFalse(
      numbers.some((d) => /SCHIER/.test(d.text) || d.kind === 'name'),
      describe(numbers)
    )
    assert.isTrue(numbers.some((d) => d.text === '22'))
  }).skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)

  test('whole-frame reading finds the name over the number on a back no person box holds; sponsors stay', async ({
    assert,
  }) => {
    const frame = await imageFrame('fans_crowd_jerseys_retinaface.jpg')
    const found = await new TextDetector(models, dictionary, { mode: 'identifying' }).detect(frame)
    assert.isTrue(
      found.some((d) => d.kind === 'name' && /SCHIER/.test(d.text)),
      JSON.stringify(found.map((d) => [d.text, d.kind]))
    )
    // Sponsors and team words stay: "Jeep" on the Juventus shirt, "unicef" on Messi's.
    for (const [image, word] of [
      ['football_match_aic.jpg', /Jeep/],
      ['football_messi_opencv.jpg', /unicef/],
    ] as const) {
      const shot = await imageFrame(image)
      const people =
        image === 'football_match_aic.jpg'
          ? SCENES[4].people.map(([x, y, width, height]) => ({ x, y, width, height }))
          : []
      const kept = await new TextDetector(models, dictionary, { mode: 'identifying' }).detect(
        shot,
        people.length ? people : undefined
      )
      const everything = await new TextDetector(models, dictionary, { mode: 'all' }).detect(
        shot,
        people.length ? people : undefined
      )
      assert.isTrue(
        everything.some((d) => word.test(d.text)),
        `${image}: all reads it`
      )
      assert.isFalse(
        kept.some((d) => word.test(d.text)),
        `${image}: identifying leaves it`
      )
    }
  }).skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)

  test('whole-frame detection (no person boxes) finds the large numbers', async ({ assert }) => {
    const detector = new TextDetector(models, dictionary, { maxSide: 960 })
    const fans = await detector.detect(await imageFrame('fans_crowd_jerseys_retinaface.jpg'))
    assert.isTrue(fans.some((d) => d.text === '22' && covers(d, SCENES[3].numbers[0].box)))
    const ski = await detector.detect(await imageFrame('ski_race_bibs_coco197388.jpg'))
    assert.isTrue(ski.some((d) => d.text === '20' && covers(d, SCENES[2].numbers[2].box)))
  }).skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
})
