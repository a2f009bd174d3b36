/**
 * Faces in a frame with MediaPipe's BlazeFace models (./blazeface.ts decodes their outputs).
 *
 * The models see a small square (128 or 192 px), so a whole 1280×720 frame squeezed into it
 * loses every face under ~60 px. For wide shots the full-range model also runs on a grid of
 * overlapping tiles, each seen at a larger scale (all in one batched run), and the detections of
 * all regions are merged (see mergeRuns).
 */
import type { Frame } from '../../pipeline/types.js'
import { planes } from '../../video/yuv.js'
import { runBatch } from '../runtime/batch.js'
import { shortSideSquares } from '../geometry.js'
import type { Detection, Model, Tensor } from '../types.js'
import { FULL_RANGE, SHORT_RANGE, decodeFaces, generateAnchors, weightedNms, type Anchor, type RawFace } from './blazeface.js'
import { SSD_INPUT } from '../convert/ssd_build.js'
import { decodeSsd } from './ssd.js'

export interface FaceDetectorOptions {
  /** Minimum face score, 0–1 (default 0.5). */
  threshold: number
  /** Also run the full-range model on overlapping tiles, for small faces in wide shots (default true). */
  tiles: boolean
  /** Faces smaller than this (box height in frame pixels) are dropped. */
  minFaceSize?: number
  /** Largest tile side in frame pixels (default 320: a 20 px face reaches the model at ~12 px). */
  tileSize?: number
  /**
   * Several tile grids at once, finest to coarsest: a face must lie whole in a tile of some grid
   * (faces up to a quarter of the tile size do), and at a scale the model still sees, so small
   * tiles find the smallest faces and larger ones the faces the small tiles cut. Overrides tileSize.
   */
  tileSizes?: number[]
  /**
   * Second look: detections scoring from this up to `threshold` are candidates, each looked at
   * again by the short-range model on a crop around it, where the face fills a quarter to a
   * half of the input as that model was trained for. A candidate is kept when that look scores
   * at least SECOND_LOOK_MIN (or `threshold`, if higher). 0 turns the second look off (default
   * 0.15 when there is a short-range model).
   */
  candidateThreshold?: number
  /**
   * Most candidates looked at again per full-range run of the search (the whole frame and each
   * tile), the strongest first; two short-range runs each (~1 ms apiece on two cores). The budget
   * follows the area searched: a video keyframe runs a few tiles, a still picture all of them,
   * and a crowd's true faces often score 0.15–0.2, below many of its false ones. Default 4: a
   * total of 24 missed two frontal faces of huge_crowd_selfie that a budget of 200 found, and a
   * total of 8 missed the goggled skier of ski_race_bibs.
   */
  candidatesPerRun?: number
  /**
   * Least SSD score that makes a face (with an SSD model). The SSD, trained on WIDER FACE,
   * finds the crowd faces, profiles and faces under caps BlazeFace scores low, and boxes a
   * face from brow to chin like the labels of eval/privacy. Default 0.5.
   */
  ssdThreshold?: number
}

export interface FaceModels {
  short?: Model
  full?: Model
  /** The SSD MobileNet V1 face detector (./ssd_build.ts), run on squares of the frame. */
  ssd?: Model
}

export interface FaceDetection extends Detection {
  /**
   * Six points in frame pixels: right eye, left eye, nose tip, mouth, right ear, left ear
   * (none for a face only the SSD found: it has no keypoints).
   */
  keypoints: [number, number][]
}

export interface Region {
  x: number
  y: number
  width: number
  height: number
}

/** Where a region sits in the model input after letterboxing. */
export interface Placement {
  region: Region
  scale: number
  offsetX: number
  offsetY: number
  /** Which sides of the region are inside the frame (a cut face there is seen whole by a neighbour). */
  inner: { left: boolean; top: boolean; right: boolean; bottom: boolean }
}

interface Head {
  anchors: Anchor[]
  inputSize: number
}

/** Tiles overlap by this fraction of the tile size, so a face up to that size lies whole in one. */
const OVERLAP = 0.25
/**
 * With tiles, whole-frame faces under this share of the overlap are dropped: the tiles see them
 * whole at 2–3× the scale, and at the whole frame's scale such faces are a few input pixels,
 * where the model's false positives are.
 */
const WHOLE_FRAME_MIN = 0.8
/**
 * A tile's side is at most this many frame pixels: 192 px of input over 320 px is a scale of 0.6,
 * which brings a 20 px face to the ~12 px the full-range model still finds (1280×720: 5×3 tiles).
 */
const MAX_TILE = 320
/** Suppression overlap within one SSD run (face-api's value: crowd faces overlap more than BlazeFace's tight boxes). */
const SSD_NMS_IOU = 0.5
/** Suppression overlap within one run and across runs (MediaPipe's value). */
const NMS_IOU = 0.3
/** Share of the smaller box inside the larger above which two merged boxes are one face. */
const CONTAINED = 0.6
/**
 * Second-look crops, as multiples of the candidate's longer side. On the faces eval/privacy
 * missed, the short-range model scored highest with the face at 1/2.5 to 1/4 of its input, and
 * which of the two varied from face to face; at 1/1.5 the face touches the crop's sides.
 */
const SECOND_LOOK_CROPS = [2.2, 3.5]
/**
 * Least short-range score on a second look that makes a candidate a face. On eval/privacy, 0.5
 * found one face more than 0.65 for 10 points of precision, and re-found a gaussian-blurred
 * head (0.62) as a face; 0.65 keeps the recall gain at 2 points of precision.
 */
export const SECOND_LOOK_MIN = 0.65
/**
 * Crop around a followed face looked for again (lookAgain), as a multiple of its predicted box's
 * longer side: the face then fills about 40% of the short-range model's input, as it was trained
 * for, with room for the prediction to be off by most of a face.
 */
const TRACK_LOOK_CROP = 2.5

/** A keyframe's face search as the anonymizer calls it: a FaceDetector, or one on a lane (../runtime/lane.ts). */
export interface FaceSearch {
  detect(frame: Frame, plan?: { tiles?: Region[]; squares?: Region[] }): Promise<FaceDetection[]>
}

export class FaceDetector implements FaceSearch {
  readonly options: FaceDetectorOptions & Required<Pick<FaceDetectorOptions, 'candidatesPerRun' | 'ssdThreshold'>>
  /** Model runs in the last detect() call (for timing reports). */
  lastRuns = 0
  #models: FaceModels
  #heads = new Map<Model, Head>()

  constructor(models: FaceModels, options: Partial<FaceDetectorOptions> = {}) {
    if (!models.short && !models.full) throw new Error('FaceDetector needs at least one BlazeFace model')
    this.#models = models
    this.options = {
      threshold: options.threshold ?? 0.5,
      tiles: options.tiles ?? true,
      minFaceSize: options.minFaceSize,
      tileSize: options.tileSize,
      tileSizes: options.tileSizes,
      // The second look needs the short-range model: without it there are no candidates.
      candidateThreshold: models.short ? options.candidateThreshold ?? 0.15 : 0,
      candidatesPerRun: options.candidatesPerRun ?? 4,
      ssdThreshold: options.ssdThreshold ?? 0.5,
    }
  }

  /**
   * The squares the SSD runs on (empty without an SSD model; see shortSideSquares). At 512 px
   * of input a 1280×720 frame's two 720 px squares bring a 24 px crowd face to 17 px, which
   * the SSD still finds; the whole frame in one square (to 9 px) loses them.
   */
  squaresFor(width: number, height: number): Region[] {
    return this.#models.ssd ? shortSideSquares(width, height) : []
  }

  /** The tiles detect() runs on a frame of this size (empty without tiles). */
  tilesFor(width: number, height: number): Region[] {
    if (!this.options.tiles) return []
    return this.#tileSizes().flatMap((size) => tileGrid(width, height, size))
  }

  #tileSizes() {
    return this.options.tileSizes?.length ? this.options.tileSizes : [this.options.tileSize ?? MAX_TILE]
  }

  /**
   * Faces in the frame. `plan.tiles` runs only those tiles (a subset of tilesFor(): a video
   * spreads the tiles over several frames and tracks faces in between), `plan.squares` only
   * those SSD squares (of squaresFor()); by default all.
   */
  async detect(frame: Frame, plan: { tiles?: Region[]; squares?: Region[] } = {}): Promise<FaceDetection[]> {
    this.lastRuns = 0
    const whole = { x: 0, y: 0, width: frame.width, height: frame.height }
    const found: FaceDetection[] = []
    const { short, full } = this.#models
    // The short-range model is trained on faces filling much of the image: it is the one that
    // finds close-ups, which the full-range model at a coarse scale can miss.
    const tileSize = Math.max(...this.#tileSizes())
    const grid = this.tilesFor(frame.width, frame.height)
    const tiles = plan.tiles ?? grid
    const wholeMin = grid.length > 0 ? WHOLE_FRAME_MIN * Math.round(tileSize * OVERLAP) : 0
    const large = (faces: FaceDetection[]) => faces.filter((face) => Math.max(face.width, face.height) >= wholeMin)
    if (short) found.push(...large((await this.#run(short, SHORT_RANGE, frame, [whole]))[0]))
    const wide = full ?? short!
    const config = full ? FULL_RANGE : SHORT_RANGE
    if (full || tiles.length > 0) {
      const [first, ...rest] = await this.#run(wide, config, frame, full ? [whole, ...tiles] : tiles)
      found.push(...(full ? large(first) : first))
      for (const faces of rest) found.push(...faces)
    }
    const threshold = this.options.threshold
    // Merged strongest first, so a weak box on a face already kept is gone before it is a candidate.
    const merged = mergeRuns(found)
    const faces = merged.filter((face) => face.score >= threshold)
    const candidates = merged.filter((face) => face.score < threshold)
    if (short && candidates.length > 0) {
      // A second look that lands on a face already kept is that face, not a new one.
      const budget = this.options.candidatesPerRun * (1 + tiles.length)
      const confirmed = await this.#secondLook(short, frame, candidates, budget)
      faces.push(...confirmed.filter((face) => !faces.some((kept) => sameFace(face, kept))))
    }
    const squares = plan.squares ?? this.squaresFor(frame.width, frame.height)
    // Where BlazeFace and the SSD both box a face, the better score wins (mergeRuns): BlazeFace
    // boxes a frontal face tightly, the SSD a face under a cap or behind a hand, which
    // BlazeFace often boxes at the chin or the hand.
    if (this.#models.ssd && squares.length > 0) faces.push(...(await this.#runSsd(this.#models.ssd, frame, squares)))
    const min = this.options.minFaceSize ?? 0
    return mergeRuns(faces).filter((face) => face.height >= min && face.width > 0)
  }

  /**
   * The candidates the short-range model confirms on a crop around each: BlazeFace full range
   * at a tile's scale scores crowd faces, faces looking down and faces under caps at 0.1–0.3,
   * while the short-range model, shown the face at the size it was trained on, scores many of
   * them above SECOND_LOOK_MIN; on shirts, hands and background it mostly stays below.
   */
  async #secondLook(model: Model, frame: Frame, candidates: FaceDetection[], budget: number): Promise<FaceDetection[]> {
    const chosen = [...candidates].sort((a, b) => b.score - a.score).slice(0, budget)
    const looks = await this.#lookAround(model, frame, chosen, SECOND_LOOK_CROPS, Math.max(this.options.threshold, SECOND_LOOK_MIN))
    return looks.filter((face) => face !== null)
  }

  /**
   * Faces a tracker follows that this keyframe's search did not find (their tile was not run,
   * or the full-range model scored them low this time), looked for again by the short-range
   * model on a crop around where the tracker expects each: a face seen a moment ago is most
   * likely still there, so the blur threshold is enough. In `boxes`' order; null where no face
   * was found (everywhere without a short-range model).
   */
  async lookAgain(frame: Frame, boxes: Region[]): Promise<(FaceDetection | null)[]> {
    const short = this.#models.short
    if (!short || boxes.length === 0) return boxes.map(() => null)
    return this.#lookAround(short, frame, boxes, [TRACK_LOOK_CROP], this.options.threshold)
  }

  /** The best face each of `boxes` is, on crops of `factors` times its size around it (null where none). */
  async #lookAround(model: Model, frame: Frame, boxes: Region[], factors: number[], threshold: number) {
    const regions = boxes.flatMap((box) => factors.map((k) => cropAround(box, k, frame)))
    const looks = await this.#run(model, SHORT_RANGE, frame, regions, threshold)
    return boxes.map((box, i) => {
      const seen = looks
        .slice(i * factors.length, (i + 1) * factors.length)
        .flat()
        .filter((face) => sameFace(face, box))
      return seen.sort((a, b) => b.score - a.score)[0] ?? null
    })
  }

  /** Detections per region, in frame pixels. */
  async #run(
    model: Model,
    config: typeof SHORT_RANGE,
    frame: Frame,
    regions: Region[],
    threshold = this.#decodeThreshold()
  ): Promise<FaceDetection[][]> {
    const size = config.inputSize
    const placements = regions.map((region) => place(region, size, frame))
    const inputs = placements.map((placement) => letterbox(frame, placement, size))
    const output = await this.#infer(model, inputs, [size, size, 3])
    const results: FaceDetection[][] = placements.map(() => [])
    const { regressors, scores, count } = splitOutputs(output)
    const head = this.#head(model, regressors.dims[1], config)
    for (let b = 0; b < count; b++) {
      const raw = decodeFaces(regressors.data, scores.data, head.anchors, head.inputSize, threshold, b)
      // Faces above the blur threshold are suppressed among themselves first, so weaker boxes
      // decoded for the second look never shift a box that is blurred either way.
      const strong = weightedNms(raw.filter((face) => face.score >= this.options.threshold), NMS_IOU)
      const weak = weightedNms(raw.filter((face) => face.score < this.options.threshold), NMS_IOU)
      results[b] = [...strong, ...weak].flatMap((face) => toFrame(face, placements[b], head.inputSize))
    }
    return results
  }

  /** SSD faces per square, in frame pixels. */
  async #runSsd(model: Model, frame: Frame, squares: Region[]): Promise<FaceDetection[]> {
    const size = SSD_INPUT
    const placements = squares.map((square) => place(square, size, frame))
    const output = await this.#infer(model, placements.map((placement) => letterbox(frame, placement, size)), [size, size, 3])
    const { boxes, classes, anchors } = output
    if (!boxes || !classes || !anchors) {
      throw new Error(`${model.name}: SSD outputs boxes, classes and anchors expected, got ${Object.keys(output).join(', ')}`)
    }
    const faces: FaceDetection[] = []
    placements.forEach((placement, b) => {
      const raw = decodeSsd(boxes.data, classes.data, anchors.data, this.options.ssdThreshold, b)
      for (const face of weightedNms(raw, SSD_NMS_IOU)) faces.push(...toFrame(face, placement, size))
    })
    return faces
  }

  /** Weak boxes are decoded too when there is a second look to give them. */
  #decodeThreshold() {
    const candidate = this.options.candidateThreshold ?? 0
    return candidate > 0 ? Math.min(candidate, this.options.threshold) : this.options.threshold
  }

  #infer(model: Model, inputs: Float32Array[], itemDims: number[]) {
    this.lastRuns++
    return runBatch(model, inputs, itemDims)
  }

  #head(model: Model, anchorCount: number, config: typeof SHORT_RANGE): Head {
    let head = this.#heads.get(model)
    if (!head) {
      const known = [SHORT_RANGE, FULL_RANGE].find((c) => generateAnchors(c).length === anchorCount) ?? config
      const anchors = generateAnchors(known)
      if (anchors.length !== anchorCount) {
        throw new Error(`${model.name}: ${anchorCount} anchors in its output, BlazeFace has 896 (short) or 2304 (full)`)
      }
      head = { anchors, inputSize: known.inputSize }
      this.#heads.set(model, head)
    }
    return head
  }
}

/**
 * Overlapping tiles covering the frame, each at most `maxTile` on a side and overlapping their
 * neighbours by OVERLAP × maxTile pixels, so that every face up to that size lies whole in some
 * tile: 1280×720 at 320 gives 5×3 tiles of 320×294.
 */
export function tileGrid(width: number, height: number, maxTile = MAX_TILE): Region[] {
  const overlap = Math.round(maxTile * OVERLAP)
  const along = (length: number) => {
    // n tiles of side t overlapping by o cover n·t − (n−1)·o ≥ length, with t ≤ maxTile.
    const count = length <= maxTile ? 1 : Math.ceil((length - overlap) / (maxTile - overlap))
    const side = Math.ceil((length + (count - 1) * overlap) / count)
    return Array.from({ length: count }, (_, i) => ({ start: Math.min(length - side, i * (side - overlap)), side }))
  }
  const columns = along(width)
  const rows = along(height)
  if (columns.length === 1 && rows.length === 1) return []
  return rows.flatMap((row) => columns.map((col) => ({ x: col.start, y: row.start, width: col.side, height: row.side })))
}

/** A square of `factor` × the face's longer side around its centre, moved (not cut) to fit the frame. */
function cropAround(face: Region, factor: number, frame: Frame): Region {
  const side = Math.min(frame.width, frame.height, Math.max(face.width, face.height) * factor)
  const x = Math.min(frame.width - side, Math.max(0, face.x + face.width / 2 - side / 2))
  const y = Math.min(frame.height - side, Math.max(0, face.y + face.height / 2 - side / 2))
  return { x, y, width: side, height: side }
}

/** Two boxes of one face: they overlap past NMS_IOU, or one mostly lies within the other (see mergeRuns). */
function sameFace(a: Region, b: Region) {
  const ix = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const iy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  if (ix <= 0 || iy <= 0) return false
  const inter = ix * iy
  const areaA = a.width * a.height
  const areaB = b.width * b.height
  return inter / (areaA + areaB - inter) > NMS_IOU || inter / Math.min(areaA, areaB) > CONTAINED
}

export function place(region: Region, size: number, frame: Frame): Placement {
  const scale = size / Math.max(region.width, region.height)
  const edge = 1
  return {
    region,
    scale,
    offsetX: (size - Math.round(region.width * scale)) / 2,
    offsetY: (size - Math.round(region.height * scale)) / 2,
    inner: {
      left: region.x > edge,
      top: region.y > edge,
      right: region.x + region.width < frame.width - edge,
      bottom: region.y + region.height < frame.height - edge,
    },
  }
}

/**
 * The region scaled into a `size`² NHWC float input in [−1, 1], padded with black as MediaPipe
 * does. Each input pixel is the mean of the frame pixels it covers: tiles shrink 1.5–7×, and
 * point or bilinear sampling at that ratio aliases small faces into noise the model no longer
 * recognises. Averaging the planes before converting to RGB is also ~10× cheaper than
 * `toRgb` at a supersampled size (it reads each frame pixel once).
 */
export function letterbox(frame: Frame, placement: Placement, size: number): Float32Array {
  const input = new Float32Array(size * size * 3).fill(-1)
  const { region, scale } = placement
  const width = Math.min(size, Math.round(region.width * scale))
  const height = Math.min(size, Math.round(region.height * scale))
  const p = planes(frame)
  const ox = Math.floor(placement.offsetX)
  const oy = Math.floor(placement.offsetY)
  const luma = boxMeans(p.y, p.width, region.x, region.y, region.width, region.height, width, height)
  const cx = region.x / 2
  const cy = region.y / 2
  const cw = Math.min(p.chromaWidth - cx, region.width / 2)
  const ch = Math.min(p.chromaHeight - cy, region.height / 2)
  const u = boxMeans(p.u, p.chromaWidth, cx, cy, cw, ch, width, height)
  const v = boxMeans(p.v, p.chromaWidth, cx, cy, cw, ch, width, height)
  const lumaRows = luma.sameAsAbove
  const chromaRows = u.sameAsAbove
  const [ys, us, vs] = [luma.values, u.values, v.values]
  // Columns repeat only where the luma is enlarged (chroma always is, twice over): elsewhere
  // looking for repeats costs more than it saves.
  const repeats = width >= 2 * region.width
  for (let row = 0; row < height; row++) {
    let o = ((oy + row) * size + ox) * 3
    // An enlarged region repeats rows: one that reads the same source rows as the row above
    // is that row again (the small crops a keyframe looks at again are mostly such rows).
    if (lumaRows[row] && chromaRows[row]) {
      input.copyWithin(o, o - size * 3, o - size * 3 + width * 3)
      continue
    }
    let i = row * width
    let r = 0
    let g = 0
    let b = 0
    for (let col = 0; col < width; col++, i++) {
      // BT.709 limited range to full-range RGB (as ../../video/yuv.ts), then to [−1, 1]; a
      // pixel equal to its left neighbour (an enlarged column) takes its values.
      if (!repeats || col === 0 || ys[i] !== ys[i - 1] || us[i] !== us[i - 1] || vs[i] !== vs[i - 1]) {
        const l = 1.164384 * (ys[i] - 16)
        const cb = us[i] - 128
        const cr = vs[i] - 128
        r = clampUnit(l + 1.792741 * cr)
        g = clampUnit(l - 0.213249 * cb - 0.532909 * cr)
        b = clampUnit(l + 2.112402 * cb)
      }
      input[o++] = r
      input[o++] = g
      input[o++] = b
    }
  }
  return input
}

function clampUnit(rgb: number) {
  const value = rgb / 127.5 - 1
  return value < -1 ? -1 : value > 1 ? 1 : value
}

/**
 * Means of the `outW × outH` boxes that tile the source rectangle (whole source samples, each
 * box at least one). `sameAsAbove[r]` is 1 where row r's boxes span the same source rows as
 * row r − 1's (an enlargement): its values are that row's, copied.
 */
function boxMeans(
  plane: Buffer,
  stride: number,
  x: number,
  y: number,
  width: number,
  height: number,
  outW: number,
  outH: number
): { values: Float32Array; sameAsAbove: Uint8Array } {
  const out = new Float32Array(outW * outH)
  const sameAsAbove = new Uint8Array(outH)
  // When the output is larger than the source (chroma, small tiles) boxes shrink to one sample.
  const colStart = new Int32Array(outW)
  const colEnd = new Int32Array(outW)
  for (let c = 0; c < outW; c++) {
    colStart[c] = Math.min(stride - 1, Math.floor(x + (c * width) / outW))
    colEnd[c] = Math.min(stride, Math.max(colStart[c] + 1, Math.floor(x + ((c + 1) * width) / outW)))
  }
  const rows = Math.floor(plane.length / stride)
  const sums = new Float64Array(outW)
  // Enlarging (chroma at most tile sizes): every box is one sample, read straight.
  const single = colEnd.every((end, c) => end - colStart[c] === 1)
  let previous0 = -1
  let previous1 = -1
  for (let r = 0; r < outH; r++) {
    const y0 = Math.min(rows - 1, Math.floor(y + (r * height) / outH))
    const y1 = Math.min(rows, Math.max(y0 + 1, Math.floor(y + ((r + 1) * height) / outH)))
    if (y0 === previous0 && y1 === previous1) {
      sameAsAbove[r] = 1
      out.copyWithin(r * outW, (r - 1) * outW, r * outW)
      continue
    }
    previous0 = y0
    previous1 = y1
    if (single && y1 - y0 === 1) {
      const line = y0 * stride
      for (let c = 0; c < outW; c++) out[r * outW + c] = plane[line + colStart[c]]
      continue
    }
    sums.fill(0)
    for (let sy = y0; sy < y1; sy++) {
      const line = sy * stride
      for (let c = 0; c < outW; c++) {
        const end = colEnd[c]
        let sum = 0
        for (let sx = colStart[c]; sx < end; sx++) sum += plane[line + sx]
        sums[c] += sum
      }
    }
    for (let c = 0; c < outW; c++) out[r * outW + c] = sums[c] / ((y1 - y0) * (colEnd[c] - colStart[c]))
  }
  return { values: out, sameAsAbove }
}

/**
 * Across runs the best box of each face wins outright: averaging a tight box from a tile with a
 * loose one from the whole frame (or two neighbouring faces the coarse run saw as one) gives a
 * box that fits neither. Runs at different scales also box one face differently enough that
 * their IoU can fall under the threshold: a weaker box that mostly lies within a stronger one,
 * or mostly contains it, is the same face.
 */
function mergeRuns(faces: FaceDetection[]) {
  const kept: FaceDetection[] = []
  for (const face of [...faces].sort((a, b) => b.score - a.score)) {
    if (!kept.some((other) => sameFace(face, other))) kept.push(face)
  }
  return kept
}

/** The regressors [B, N, 16] and score logits [B, N, 1] of one run, whatever the outputs are called. */
function splitOutputs(output: Record<string, Tensor>) {
  const tensors = Object.values(output)
  const regressors = tensors.find((t) => t.dims[t.dims.length - 1] === 16)
  const scores = tensors.find((t) => t.dims[t.dims.length - 1] === 1 && t.dims.length === 3)
  if (!regressors || !scores) {
    throw new Error(`BlazeFace outputs expected as [B, N, 16] and [B, N, 1], got ${tensors.map((t) => `[${t.dims}]`).join(', ')}`)
  }
  return { regressors, scores, count: regressors.dims[0] }
}

/**
 * A face in frame pixels, or nothing when it touches a tile side that lies inside the frame: it
 * is cut there, and the neighbouring tile (or the whole-frame run) sees it whole.
 */
function toFrame(face: RawFace, placement: Placement, size: number): FaceDetection[] {
  const { region, scale, offsetX, offsetY, inner } = placement
  const px = (v: number) => (v * size - Math.floor(offsetX)) / scale + region.x
  const py = (v: number) => (v * size - Math.floor(offsetY)) / scale + region.y
  const x0 = px(face.x)
  const y0 = py(face.y)
  const x1 = px(face.x + face.width)
  const y1 = py(face.y + face.height)
  const slack = 0.02 * Math.max(region.width, region.height)
  if (
    (inner.left && x0 < region.x + slack) ||
    (inner.top && y0 < region.y + slack) ||
    (inner.right && x1 > region.x + region.width - slack) ||
    (inner.bottom && y1 > region.y + region.height - slack)
  ) {
    return []
  }
  return [
    {
      x: x0,
      y: y0,
      width: x1 - x0,
      height: y1 - y0,
      score: face.score,
      keypoints: face.keypoints.map(([kx, ky]) => [px(kx), py(ky)]),
    },
  ]
}

