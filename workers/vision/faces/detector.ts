/**
 * Faces in a frame with MediaPipe's BlazeFace models (./blazeface.ts decodes their outputs).
 *
 * The models see a small square (128 or 192 px), so a whole 1280×720 frame squeezed into it
 * loses every face under ~60 px. For wide shots the full-range model also runs on a grid of
 * overlapping tiles, each seen at a larger scale (one model run per tile: the converted models
 * take a batch of 1), and the detections of all runs are merged (see mergeRuns).
 */
import type { Frame } from '../../pipeline/types.js'
import { planes } from '../../video/yuv.js'
import type { Detection, Model, Tensor } from '../types.js'
import { FULL_RANGE, SHORT_RANGE, decodeFaces, generateAnchors, weightedNms, type Anchor, type RawFace } from './blazeface.js'

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
}

export interface FaceDetection extends Detection {
  /** Six points in frame pixels: right eye, left eye, nose tip, mouth, right ear, left ear. */
  keypoints: [number, number][]
}

export interface Region {
  x: number
  y: number
  width: number
  height: number
}

/** Where a region sits in the model input after letterboxing. */
interface Placement {
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
/** Suppression overlap within one run and across runs (MediaPipe's value). */
const NMS_IOU = 0.3
/** Share of the smaller box inside the larger above which two merged boxes are one face. */
const CONTAINED = 0.6

export class FaceDetector {
  readonly options: FaceDetectorOptions
  /** Model runs in the last detect() call (for timing reports). */
  lastRuns = 0
  #models: { short?: Model; full?: Model }
  #heads = new Map<Model, Head>()
  #batchable = new Map<Model, boolean>()

  constructor(models: { short?: Model; full?: Model }, options: Partial<FaceDetectorOptions> = {}) {
    if (!models.short && !models.full) throw new Error('FaceDetector needs at least one BlazeFace model')
    this.#models = models
    this.options = {
      threshold: options.threshold ?? 0.5,
      tiles: options.tiles ?? true,
      minFaceSize: options.minFaceSize,
      tileSize: options.tileSize,
      tileSizes: options.tileSizes,
    }
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
   * spreads the tiles over several frames and tracks faces in between); by default all.
   */
  async detect(frame: Frame, plan: { tiles?: Region[] } = {}): Promise<FaceDetection[]> {
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
    const merged = mergeRuns(found)
    const min = this.options.minFaceSize ?? 0
    return merged.filter((face) => face.height >= min && face.width > 0)
  }

  /** Detections per region, in frame pixels. */
  async #run(model: Model, config: typeof SHORT_RANGE, frame: Frame, regions: Region[]): Promise<FaceDetection[][]> {
    const size = config.inputSize
    const placements = regions.map((region) => place(region, size, frame))
    const inputs = placements.map((placement) => letterbox(frame, placement, size))
    let outputs: Record<string, Tensor>[]
    if (inputs.length > 1 && this.#batchable.get(model) !== false) {
      try {
        const batch = new Float32Array(inputs.length * size * size * 3)
        inputs.forEach((input, i) => batch.set(input, i * input.length))
        outputs = [await this.#infer(model, batch, [inputs.length, size, size, 3])]
        this.#batchable.set(model, true)
      } catch (error) {
        // Converted TFLite models keep a fixed batch of 1; only an unknown model is retried.
        if (this.#batchable.get(model)) throw error
        this.#batchable.set(model, false)
        outputs = await this.#sequential(model, inputs, size)
      }
    } else {
      outputs = await this.#sequential(model, inputs, size)
    }
    const results: FaceDetection[][] = placements.map(() => [])
    let image = 0
    for (const output of outputs) {
      const { regressors, scores, count } = splitOutputs(output)
      const head = this.#head(model, regressors.dims[1], config)
      for (let b = 0; b < count; b++, image++) {
        const raw = decodeFaces(regressors.data, scores.data, head.anchors, head.inputSize, this.options.threshold, b)
        results[image] = weightedNms(raw, NMS_IOU).flatMap((face) => toFrame(face, placements[image], head.inputSize))
      }
    }
    return results
  }

  async #sequential(model: Model, inputs: Float32Array[], size: number) {
    const outputs: Record<string, Tensor>[] = []
    for (const input of inputs) outputs.push(await this.#infer(model, input, [1, size, size, 3]))
    return outputs
  }

  #infer(model: Model, data: Float32Array, dims: number[]) {
    this.lastRuns++
    return model.run({ [model.inputNames[0]]: { data, dims } })
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

function place(region: Region, size: number, frame: Frame): Placement {
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
function letterbox(frame: Frame, placement: Placement, size: number): Float32Array {
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
  let i = 0
  for (let row = 0; row < height; row++) {
    let o = ((oy + row) * size + ox) * 3
    for (let col = 0; col < width; col++, i++) {
      // BT.709 limited range to full-range RGB (as ../../video/yuv.ts), then to [−1, 1].
      const l = 1.164384 * (luma[i] - 16)
      const cb = u[i] - 128
      const cr = v[i] - 128
      input[o++] = clampUnit(l + 1.792741 * cr)
      input[o++] = clampUnit(l - 0.213249 * cb - 0.532909 * cr)
      input[o++] = clampUnit(l + 2.112402 * cb)
    }
  }
  return input
}

function clampUnit(rgb: number) {
  const value = rgb / 127.5 - 1
  return value < -1 ? -1 : value > 1 ? 1 : value
}

/** Means of the `outW × outH` boxes that tile the source rectangle (whole source samples, each box at least one). */
function boxMeans(
  plane: Buffer,
  stride: number,
  x: number,
  y: number,
  width: number,
  height: number,
  outW: number,
  outH: number
): Float32Array {
  const out = new Float32Array(outW * outH)
  // When the output is larger than the source (chroma, small tiles) boxes shrink to one sample.
  const colStart = new Int32Array(outW)
  const colEnd = new Int32Array(outW)
  for (let c = 0; c < outW; c++) {
    colStart[c] = Math.min(stride - 1, Math.floor(x + (c * width) / outW))
    colEnd[c] = Math.min(stride, Math.max(colStart[c] + 1, Math.floor(x + ((c + 1) * width) / outW)))
  }
  const rows = Math.floor(plane.length / stride)
  const sums = new Float64Array(outW)
  for (let r = 0; r < outH; r++) {
    const y0 = Math.min(rows - 1, Math.floor(y + (r * height) / outH))
    const y1 = Math.min(rows, Math.max(y0 + 1, Math.floor(y + ((r + 1) * height) / outH)))
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
  return out
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
    const duplicate = kept.some((other) => {
      const ix = Math.min(face.x + face.width, other.x + other.width) - Math.max(face.x, other.x)
      const iy = Math.min(face.y + face.height, other.y + other.height) - Math.max(face.y, other.y)
      if (ix <= 0 || iy <= 0) return false
      const inter = ix * iy
      const a = face.width * face.height
      const b = other.width * other.height
      return inter / (a + b - inter) > NMS_IOU || inter / Math.min(a, b) > CONTAINED
    })
    if (!duplicate) kept.push(face)
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

