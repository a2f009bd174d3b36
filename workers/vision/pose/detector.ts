/**
 * The BlazePose person detector (224×224 SSD, MediaPipe's pose_detection graph): anchors,
 * keypoint decoding, weighted NMS, and the mapping back to frame pixels. The model's own box is
 * a fixed 44.8-pixel square near the head (its size regressors are constant), useless for size
 * and, in NMS, merging anyone whose heads are close; so a person is described by the four
 * keypoints instead: hip centre, a point whose distance from the hip centre is the radius of a
 * circle around the whole body (its direction gives the body's tilt), shoulder centre, and the
 * same scale point for the upper body. NMS runs on the torso (hips to shoulders), which
 * separates people standing side by side or dancing as a couple.
 *
 * On a 1280×720 frame squeezed into 224 pixels a player far from the camera has a head of a
 * few pixels, so `tiles` adds overlapping square crops of the frame, each run at 224, and merges
 * everything by NMS.
 */
import type { Frame } from '../../pipeline/types.js'
import { itemOf, runBatch } from '../runtime/batch.js'
import type { Box, Detection, Model, Tensor } from '../types.js'
import { sampleRgb } from '../../video/sample/affine.js'
import { iou } from '../geometry.js'
export { iou }

export const DETECTOR_INPUT = 224

/**
 * A detected person: `x, y, width, height` the square around the body circle (centre the hip
 * centre, side twice the scale radius; it may extend past the frame), `keypoints` the four
 * alignment points.
 */
export interface PoseDetection extends Detection {
  /** Frame pixels: hip centre, full-body scale point, shoulder centre, upper-body scale point. */
  keypoints: [number, number][]
}

export interface DetectorOptions {
  /** Minimum score after the sigmoid (MediaPipe uses 0.5). */
  threshold?: number
  maxPeople?: number
  /**
   * Also run overlapping tiles of the frame, for small people (9 detector runs instead of 1 on
   * 16:9): `true` all of them, a list only those (indexes into tileWindows(), taken modulo its
   * length, so a video can spread the tiles over its keyframes).
   */
  tiles?: boolean | number[]
  /** Tile side as a fraction of the frame's short side (default 2/3). */
  tileFraction?: number
  /** IoU above which boxes are one person (MediaPipe: 0.3). */
  nmsThreshold?: number
}

/**
 * Anchor centres (normalised 0–1) of the pose detector, in the order of its outputs: MediaPipe's
 * SSD anchors with 5 layers at strides 8, 16, 32, 32, 32, 2 anchors per cell per layer (the
 * layers of equal stride share one grid), fixed size 1, so 28²·2 + 14²·2 + 7²·6 = 2254.
 */
export function poseAnchors(input = DETECTOR_INPUT, strides = [8, 16, 32, 32, 32]): Float32Array {
  const centres: number[] = []
  let layer = 0
  while (layer < strides.length) {
    let perCell = 0
    let last = layer
    while (last < strides.length && strides[last] === strides[layer]) {
      // Aspect ratio 1 plus the interpolated scale: two anchors per layer.
      perCell += 2
      last++
    }
    const cells = Math.ceil(input / strides[layer])
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let a = 0; a < perCell; a++) centres.push((x + 0.5) / cells, (y + 0.5) / cells)
      }
    }
    layer = last
  }
  return Float32Array.from(centres)
}

const ANCHORS = poseAnchors()

/** Smallest body-circle radius, in input pixels, taken as a person. */
const MIN_RADIUS = 8

/** The square around the body circle of the four alignment keypoints. */
export function bodyBox(keypoints: [number, number][]): Box {
  const [[hx, hy], [sx, sy]] = keypoints
  const r = Math.hypot(sx - hx, sy - hy)
  return { x: hx - r, y: hy - r, width: 2 * r, height: 2 * r }
}

/** A square on the torso (hip centre to shoulder centre), at least 0.4 of the body radius. */
function torsoBox(keypoints: [number, number][]): Box {
  const [[hx, hy], [sx, sy], [tx, ty]] = keypoints
  const side = Math.max(Math.hypot(tx - hx, ty - hy), 0.4 * Math.hypot(sx - hx, sy - hy))
  return { x: (hx + tx - side) / 2, y: (hy + ty - side) / 2, width: side, height: side }
}

/** A square source region of the frame that is scaled into the detector's input. */
export interface DetectorWindow {
  /** Source pixels per input pixel. */
  scale: number
  /** Frame point at input pixel (0, 0). */
  x: number
  y: number
}

export class PoseDetector {
  readonly options: Required<DetectorOptions>

  constructor(
    readonly model: Model,
    options: DetectorOptions = {}
  ) {
    this.options = {
      threshold: options.threshold ?? 0.5,
      maxPeople: options.maxPeople ?? 10,
      tiles: options.tiles ?? false,
      nmsThreshold: options.nmsThreshold ?? 0.3,
      tileFraction: options.tileFraction ?? 2 / 3,
    }
  }

  /** People in `frame`, highest score first, in frame pixels. */
  async detect(frame: Frame, options: DetectorOptions = {}): Promise<PoseDetection[]> {
    const tiles = options.tiles ?? this.options.tiles
    const threshold = options.threshold ?? this.options.threshold
    const maxPeople = options.maxPeople ?? this.options.maxPeople
    const windows = [letterbox(frame.width, frame.height)]
    if (tiles) {
      const grid = tileWindows(
        frame.width,
        frame.height,
        options.tileFraction ?? this.options.tileFraction
      )
      windows.push(
        ...(tiles === true ? grid : [...new Set(tiles.map((i) => grid[i % grid.length]))])
      )
    }
    const inputs = windows.map((window) =>
      sampleRgb(
        frame,
        { a: window.scale, b: 0, c: window.x, d: 0, e: window.scale, f: window.y },
        DETECTOR_INPUT,
        [-1, 1]
      )
    )
    const outputs = await runBatch(this.model, inputs, [DETECTOR_INPUT, DETECTOR_INPUT, 3])
    const found = windows.flatMap((window, i) => {
      const { boxes, scores } = detectorOutputs(itemOf(outputs, i))
      return decode(boxes, scores, threshold, (nx, ny) => [
        window.x + nx * DETECTOR_INPUT * window.scale,
        window.y + ny * DETECTOR_INPUT * window.scale,
      ])
    })
    return weightedNms(found, options.nmsThreshold ?? this.options.nmsThreshold).slice(0, maxPeople)
  }
}

/** Picks the regressors (2254×12) and scores (2254×1) by size, whatever the converter named them. */
function detectorOutputs(outputs: Record<string, Tensor>) {
  let boxes: Float32Array | undefined
  let scores: Float32Array | undefined
  for (const tensor of Object.values(outputs)) {
    if (tensor.data.length === ANCHORS.length * 6) boxes = tensor.data
    else if (tensor.data.length === ANCHORS.length / 2) scores = tensor.data
  }
  if (!boxes || !scores) {
    const shapes = Object.entries(outputs).map(([name, t]) => `${name} [${t.dims.join(', ')}]`)
    throw new Error(`the pose detector gave unexpected outputs: ${shapes.join(', ')}`)
  }
  return { boxes, scores }
}

/**
 * Detections above `threshold` from raw outputs; `toFrame` maps a normalised input point
 * (0–1 of the 224 input) to frame pixels.
 */
export function decode(
  boxes: Float32Array,
  scores: Float32Array,
  threshold: number,
  toFrame: (nx: number, ny: number) => [number, number]
): PoseDetection[] {
  const found: PoseDetection[] = []
  const logit = Math.log(threshold / (1 - threshold))
  // An index loop: i also walks the anchors and the box rows, and this runs over every anchor.
  // eslint-disable-next-line @unicorn/no-for-loop
  for (let i = 0; i < scores.length; i++) {
    // MediaPipe clips raw scores to ±100 before the sigmoid.
    const raw = Math.max(-100, Math.min(100, scores[i]))
    if (raw < logit) continue
    const ax = ANCHORS[2 * i]
    const ay = ANCHORS[2 * i + 1]
    const o = i * 12
    // A body circle of a few input pixels is noise (seen on faces filling a tile).
    const radius = Math.hypot(boxes[o + 6] - boxes[o + 4], boxes[o + 7] - boxes[o + 5])
    if (radius < MIN_RADIUS) continue
    const keypoints: [number, number][] = []
    for (let k = 0; k < 4; k++)
      keypoints.push(
        toFrame(
          boxes[o + 4 + 2 * k] / DETECTOR_INPUT + ax,
          boxes[o + 5 + 2 * k] / DETECTOR_INPUT + ay
        )
      )
    found.push({ ...bodyBox(keypoints), score: 1 / (1 + Math.exp(-raw)), keypoints })
  }
  return found
}

/** The whole frame, scaled to fit 224 with the long side, centred (MediaPipe's letterbox). */
function letterbox(width: number, height: number): DetectorWindow {
  const scale = Math.max(width, height) / DETECTOR_INPUT
  return {
    scale,
    x: (width - scale * DETECTOR_INPUT) / 2,
    y: (height - scale * DETECTOR_INPUT) / 2,
  }
}

/**
 * Square tiles of `fraction` of the short side (default 2/3: 8 tiles on 16:9) overlapping by at
 * least a quarter, so a player a tenth of the frame high is seen at about 2.7 times the size of
 * the whole-frame pass. Smaller tiles find more of a distant crowd but also more false and
 * partial people, and cost more.
 */
export function tileWindows(width: number, height: number, fraction = 2 / 3): DetectorWindow[] {
  const side = Math.round(Math.min(width, height) * fraction)
  const starts = (extent: number) => {
    if (extent <= side) return [0]
    const count = Math.ceil((extent - side) / (side * 0.75)) + 1
    return Array.from({ length: count }, (_, i) => ((extent - side) * i) / (count - 1))
  }
  const windows: DetectorWindow[] = []
  for (const y of starts(height))
    for (const x of starts(width)) windows.push({ scale: side / DETECTOR_INPUT, x, y })
  return windows
}

/**
 * Whether two overlapping detections describe one body: anchors on one person agree on its tilt
 * and size, while a couple in a dance hold share a torso region but lean differently.
 */
function sameBody(a: [number, number][], b: [number, number][]) {
  const va = [a[1][0] - a[0][0], a[1][1] - a[0][1]]
  const vb = [b[1][0] - b[0][0], b[1][1] - b[0][1]]
  const ra = Math.hypot(va[0], va[1])
  const rb = Math.hypot(vb[0], vb[1])
  const cos = (va[0] * vb[0] + va[1] * vb[1]) / (ra * rb)
  return cos > Math.cos((35 * Math.PI) / 180) && Math.max(ra, rb) < 1.5 * Math.min(ra, rb)
}

/**
 * MediaPipe's weighted NMS on torso boxes (among detections that agree on tilt and size): each cluster overlapping the best remaining
 * detection becomes one, its keypoints the score-weighted mean, its score the best score.
 */
export function weightedNms(detections: PoseDetection[], threshold: number): PoseDetection[] {
  const remaining = [...detections].sort((a, b) => b.score - a.score)
  const kept: PoseDetection[] = []
  while (remaining.length > 0) {
    const best = remaining[0]
    const torso = torsoBox(best.keypoints)
    const cluster: PoseDetection[] = []
    for (let i = remaining.length - 1; i >= 0; i--) {
      if (
        i === 0 ||
        (iou(torso, torsoBox(remaining[i].keypoints)) > threshold &&
          sameBody(best.keypoints, remaining[i].keypoints))
      ) {
        cluster.push(...remaining.splice(i, 1))
      }
    }
    let total = 0
    const points = best.keypoints.map(() => [0, 0] as [number, number])
    for (const d of cluster) {
      total += d.score
      d.keypoints.forEach(([x, y], k) => {
        points[k][0] += x * d.score
        points[k][1] += y * d.score
      })
    }
    const keypoints = points.map(([x, y]) => [x / total, y / total] as [number, number])
    kept.push({ ...bodyBox(keypoints), score: best.score, keypoints })
  }
  return kept
}
