/**
 * Shirt numbers, race bibs, names and other text on people, found so they can be blurred:
 * PP-OCRv4 detection on person regions (or the whole frame at reduced size), recognition on the
 * boxes found, and a filter that keeps what the text mode blurs (./classify.ts: numbers, names
 * on people, or everything).
 *
 * Detection costs in proportion to input pixels (0.2–0.4 µs a pixel on two CPU cores: 200–350 ms
 * for a whole 1280×736 frame), and DB, trained on text lines, only fires on a lone digit when
 * it is large. So with the person boxes the pipeline already has, each person gets two looks:
 * the whole person at 320 px (cheap; finds bibs and big back numbers) and the torso band
 * zoomed up to 3× (finds the small chest and shorts numbers; most of the cost, about half a
 * frame's pixels per near person). Without person boxes the whole frame is searched at 960 px,
 * which misses most small numbers. At these costs this belongs on keyframes, with the tracker
 * carrying the boxes in between.
 */
import type { Frame } from '../../pipeline/types.js'
import type { Box, Detection, Model } from '../types.js'
import {
  clipBox,
  dbBoxes,
  DEFAULT_DB_OPTIONS,
  detectorInput,
  placeRegion,
  strideCeil,
  toFrame,
  type Placement,
} from './detect.js'
import { ctcClasses, recognize } from './recognize.js'
import { blurredIn, classifyReadings, type TextKind } from './classify.js'
import type { TextMode } from '../settings.js'

export { numberLike } from './classify.js'

export interface TextDetection extends Detection {
  /** What the recogniser read (may be empty or wrong for small or blurred text). */
  text: string
  /** Whether `text` contains a digit. */
  digits: boolean
  /** Mean character confidence of the recogniser (0 when it read nothing). */
  textScore?: number
  /** What the text was taken for (./classify.ts). */
  kind: TextKind
}

export interface TextDetectorOptions {
  /**
   * What is kept: `numbers` (shirt numbers, bibs), `identifying` (numbers and names on people),
   * `all` (every text region). Default `numbers`.
   */
  mode?: TextMode
  /** Least mean probability of a detected box (DB box threshold). Default 0.6. */
  threshold?: number
  /** Longer side of the detector input for a whole frame (downscaled only). Default 960. */
  maxSide?: number
  /** Longer side of the detector input for one person region. Default 320. */
  regionSide?: number
  /** Most a small person region is enlarged for detection. Default 2. */
  maxUpscale?: number
  /** Person regions grow by this fraction of their size on every side (arms, a loose shirt). Default 0.1. */
  regionMargin?: number
  /** Boxes grow by area × ratio / perimeter pixels on every side. Default 1.6. */
  unclipRatio?: number
  /**
   * Height, in detector pixels, a person is zoomed to for a second look at their torso and
   * shorts (where numbers are); 0 turns that pass off. The detector was trained on text lines
   * and only fires on a lone digit when it is large (50–150 px), so this pass finds most of
   * the shirt numbers; it also costs most of the time. Default 1800 (1200 saves about a
   * fifth of the pixels on the shared images and missed two more of their 12 numbers).
   */
  zoomHeight?: number
  /** Most a torso is enlarged in the zoom pass. Default 3. */
  maxZoom?: number
  /**
   * Most detector pixels one zoomed torso may take (cost grows with them, 0.2–0.4 µs each
   * on two CPU cores); a close-up is zoomed less. Default 900 000 (a 1280×720 frame is 920 000).
   */
  maxZoomPixels?: number
  /**
   * Kept boxes grow by this fraction of their height on every side: DB often fires on part
   * of a large stylised digit only, and a blurred box must cover all of it. Default 0.15.
   */
  boxPadding?: number
  /** Regions per detector run. Default 8. */
  batchSize?: number
}

/**
 * The band of a person box that holds shirt and shorts numbers, as fractions of its height:
 * wide, because a bent or swinging player's box starts at the helmet and ends above the
 * knees (a batter's back number starts 15% down; a skier's bib ends 80% down).
 */
const TORSO_TOP = 0.05
const TORSO_BOTTOM = 0.85

/** Cumulative work done, for metadata.json and timing reports. */
export interface TextDetectorStats {
  frames: number
  regions: number
  /** Detector input pixels, padding included: the cost, independent of the machine's load. */
  detectorPixels: number
  candidates: number
  kept: number
  /** Of those, readings taken for names (./classify.ts). */
  names: number
  /** Readings with text in them that were not kept (neither number nor name, or a name in numbers mode). */
  unclassified: number
  detectMs: number
  recognizeMs: number
}

export class TextDetector {
  readonly stats: TextDetectorStats = {
    frames: 0,
    regions: 0,
    detectorPixels: 0,
    candidates: 0,
    kept: 0,
    names: 0,
    unclassified: 0,
    detectMs: 0,
    recognizeMs: 0,
  }
  readonly #options: Required<TextDetectorOptions>
  readonly #classes: string[]
  /**
   * Words read on two places of one frame, so on several people (a sponsor, the team): not
   * names, for the rest of the clip (one detector serves one clip), where a person read alone
   * shows one of them.
   */
  readonly #common = new Set<string>()

  /** `dictionary`: the lines of the dictionary file (see `loadDictionary`), without the CTC blank. */
  constructor(
    private models: { detector: Model; recognizer: Model },
    dictionary: string[],
    options: TextDetectorOptions = {}
  ) {
    this.#classes = ctcClasses(dictionary)
    this.#options = {
      mode: options.mode ?? 'numbers',
      threshold: options.threshold ?? DEFAULT_DB_OPTIONS.boxThreshold,
      maxSide: options.maxSide ?? 960,
      regionSide: options.regionSide ?? 320,
      maxUpscale: options.maxUpscale ?? 2,
      regionMargin: options.regionMargin ?? 0.1,
      unclipRatio: options.unclipRatio ?? DEFAULT_DB_OPTIONS.unclipRatio,
      zoomHeight: options.zoomHeight ?? 1800,
      maxZoom: options.maxZoom ?? 3,
      maxZoomPixels: options.maxZoomPixels ?? 900_000,
      boxPadding: options.boxPadding ?? 0.15,
      batchSize: options.batchSize ?? 8,
    }
  }

  /**
   * Text in `frame`, in frame pixels. With `regions` (person boxes), only inside them (grown
   * by `regionMargin`); without, in the whole frame at `maxSide`. An empty `regions` finds nothing.
   * `people`: the person boxes names are looked for on (./classify.ts); `regions` by default.
   */
  async detect(
    frame: Frame,
    regions?: Box[],
    people: Box[] = regions ?? []
  ): Promise<TextDetection[]> {
    const o = this.#options
    this.stats.frames++
    const started = performance.now()
    let placements: Placement[]
    if (regions) {
      placements = regions.flatMap((box) => this.#regionPlacements(frame, box))
      this.stats.regions += regions.length
    } else {
      placements = [
        placeRegion({ x: 0, y: 0, width: frame.width, height: frame.height }, o.maxSide, 1),
      ]
    }

    const found: Detection[] = []
    for (const group of batches(placements, o.batchSize)) {
      const width = strideCeil(Math.max(...group.map((p) => p.width)))
      const height = strideCeil(Math.max(...group.map((p) => p.height)))
      const input = detectorInput(frame, group, width, height)
      this.stats.detectorPixels += group.length * width * height
      const outputs = await this.models.detector.run({
        [this.models.detector.inputNames[0]]: input,
      })
      const result = outputs[this.models.detector.outputNames[0]]
      const [, , mapHeight, mapWidth] = result.dims
      group.forEach((placement, n) => {
        const boxes = dbBoxes(
          result.data,
          mapWidth,
          mapHeight,
          { boxThreshold: o.threshold, unclipRatio: o.unclipRatio },
          n * mapWidth * mapHeight,
          placement.width,
          placement.height
        )
        for (const box of boxes) {
          const mapped = toFrame(box, placement)
          if (mapped.width >= 2 && mapped.height >= 2) found.push(mapped)
        }
      })
    }
    const candidates = mergeOverlapping(found)
    const detected = performance.now()
    this.stats.detectMs += detected - started
    this.stats.candidates += candidates.length

    const readings = candidates.length
      ? await recognize(this.models.recognizer, this.#classes, frame, candidates)
      : []
    this.stats.recognizeMs += performance.now() - detected

    const { kinds, repeated } = classifyReadings(
      candidates.map((box, i) => ({
        ...box,
        text: readings[i].text,
        textScore: readings[i].score,
      })),
      people,
      this.#common
    )
    for (const word of repeated) this.#common.add(word)
    const kept: TextDetection[] = []
    candidates.forEach((box, i) => {
      const { text, score: textScore } = readings[i]
      const kind = kinds[i]
      if (!blurredIn(o.mode, kind)) {
        if (text.trim()) this.stats.unclassified++
        return
      }
      if (kind === 'name') this.stats.names++
      const pad = box.height * o.boxPadding
      const grown =
        clipBox(
          {
            x: box.x - pad,
            y: box.y - pad,
            width: box.width + 2 * pad,
            height: box.height + 2 * pad,
          },
          frame.width,
          frame.height
        ) ?? box
      kept.push({ ...grown, score: box.score, text, digits: /\d/.test(text), textScore, kind })
    })
    this.stats.kept += kept.length
    return kept
  }

  /** The whole (grown) person at `regionSide`, and its torso band zoomed to `zoomHeight`. */
  #regionPlacements(frame: Frame, box: Box): Placement[] {
    const o = this.#options
    const mx = box.width * o.regionMargin
    const my = box.height * o.regionMargin
    const crop = clipBox(
      { x: box.x - mx, y: box.y - my, width: box.width + 2 * mx, height: box.height + 2 * my },
      frame.width,
      frame.height
    )
    if (!crop) return []
    const whole = placeRegion(crop, o.regionSide, o.maxUpscale)
    // The box's own width: numbers sit on the body, not on the arms the margin is for.
    const torso = clipBox(
      {
        x: box.x,
        y: box.y + box.height * TORSO_TOP,
        width: box.width,
        height: box.height * (TORSO_BOTTOM - TORSO_TOP),
      },
      frame.width,
      frame.height
    )
    if (!torso) return [whole]
    const zoom = Math.min(
      o.maxZoom,
      o.zoomHeight / Math.max(1, box.height),
      Math.sqrt(o.maxZoomPixels / (torso.width * torso.height))
    )
    // A zoom close to the first pass's scale would only see the same thing again.
    if (!(o.zoomHeight > 0) || zoom < whole.scale * 1.25) return [whole]
    return [whole, placeRegion(torso, zoom * Math.max(torso.width, torso.height), zoom)]
  }
}

/**
 * Placements grouped so one detector run pads little: sorted by size, a group closes when the
 * next one would need a larger input than its first by more than a stride either way.
 */
function batches(placements: Placement[], size: number): Placement[][] {
  const sorted = [...placements].sort(
    (a, b) => strideCeil(a.height) - strideCeil(b.height) || a.width - b.width
  )
  const groups: Placement[][] = []
  let current: Placement[] = []
  for (const placement of sorted) {
    const first = current[0]
    if (
      first &&
      (current.length >= size ||
        strideCeil(placement.height) !== strideCeil(first.height) ||
        strideCeil(placement.width) - strideCeil(first.width) > 32)
    ) {
      groups.push(current)
      current = []
    }
    current.push(placement)
  }
  if (current.length) groups.push(current)
  return groups
}

/**
 * One box per piece of text: overlapping person regions see the same number twice. Boxes that
 * mostly cover one another become their union (blurring a little more is the safe side).
 */
function mergeOverlapping(boxes: Detection[]): Detection[] {
  const sorted = [...boxes].sort((a, b) => b.score - a.score)
  const merged: Detection[] = []
  for (const box of sorted) {
    const twin = merged.find((other) => overlap(box, other) > 0.6)
    if (!twin) {
      merged.push({ ...box })
      continue
    }
    const x1 = Math.max(twin.x + twin.width, box.x + box.width)
    const y1 = Math.max(twin.y + twin.height, box.y + box.height)
    twin.x = Math.min(twin.x, box.x)
    twin.y = Math.min(twin.y, box.y)
    twin.width = x1 - twin.x
    twin.height = y1 - twin.y
  }
  return merged
}

/** Intersection over the smaller box's area. */
function overlap(a: Box, b: Box) {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  if (w <= 0 || h <= 0) return 0
  return (w * h) / Math.min(a.width * a.height, b.width * b.height)
}
