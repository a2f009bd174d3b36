/**
 * BlazeFace's SSD head, as MediaPipe's face_detection graphs configure it: the anchor grid, the
 * decoding of the raw regressors into boxes and six keypoints, and the "weighted" non-maximum
 * suppression that averages overlapping boxes rather than keeping only the best one.
 *
 * Everything here works in model-input coordinates normalised to 0–1 (x to the right, y down);
 * the detector maps them back to frame pixels.
 */
import { iou } from '../geometry.js'
import type { Tensor } from '../types.js'

export { iou }

export interface Anchor {
  /** Centre, 0–1 of the input. */
  x: number
  y: number
}

export interface AnchorConfig {
  inputSize: number
  /** One entry per SSD layer; layers with the same stride share one grid. */
  strides: readonly number[]
  /** Anchors per cell for each layer: MediaPipe's short range model adds an interpolated one. */
  anchorsPerLayer: number
}

/** face_detection_short_range: 16×16×2 + 8×8×6 = 896 anchors. */
export const SHORT_RANGE: AnchorConfig = {
  inputSize: 128,
  strides: [8, 16, 16, 16],
  anchorsPerLayer: 2,
}
/** face_detection_full_range: one anchor per cell of a 48×48 grid = 2304 anchors. */
export const FULL_RANGE: AnchorConfig = { inputSize: 192, strides: [4], anchorsPerLayer: 1 }

/**
 * MediaPipe's SsdAnchorsCalculator with `fixed_anchor_size: true`: every anchor is 1×1 (the
 * regressors are plain offsets in input pixels), so only the centres matter. Consecutive layers
 * with the same stride are merged into one grid pass with their anchors side by side, which is
 * the order the model's outputs are concatenated in.
 */
export function generateAnchors(config: AnchorConfig): Anchor[] {
  const anchors: Anchor[] = []
  let layer = 0
  while (layer < config.strides.length) {
    const stride = config.strides[layer]
    let perCell = 0
    while (layer < config.strides.length && config.strides[layer] === stride) {
      perCell += config.anchorsPerLayer
      layer++
    }
    const cells = Math.ceil(config.inputSize / stride)
    for (let row = 0; row < cells; row++) {
      for (let col = 0; col < cells; col++) {
        for (let k = 0; k < perCell; k++)
          anchors.push({ x: (col + 0.5) / cells, y: (row + 0.5) / cells })
      }
    }
  }
  return anchors
}

export interface RawFace {
  /** Box in 0–1 input coordinates (top-left corner and size). */
  x: number
  y: number
  width: number
  height: number
  score: number
  /** Six (x, y) points, 0–1: right eye, left eye, nose tip, mouth, right ear, left ear. */
  keypoints: [number, number][]
}

/** MediaPipe clips logits to ±100 before the sigmoid so that exp() never overflows. */
const SCORE_CLIP = 100

export function sigmoid(logit: number) {
  const clipped = logit < -SCORE_CLIP ? -SCORE_CLIP : logit > SCORE_CLIP ? SCORE_CLIP : logit
  return 1 / (1 + Math.exp(-clipped))
}

/**
 * The faces scoring at least `threshold` in one image of the batch. `regressors` holds 16 values
 * per anchor (centre offset, size, six keypoint offsets, all in input pixels), `scores` one logit.
 */
export function decodeFaces(
  regressors: Float32Array,
  scores: Float32Array,
  anchors: readonly Anchor[],
  inputSize: number,
  threshold: number,
  batchIndex = 0
): RawFace[] {
  const faces: RawFace[] = []
  // Comparing logits avoids an exp() per anchor: the sigmoid is monotonic.
  const p = Math.min(Math.max(threshold, 1e-6), 1 - 1e-6)
  const minLogit = Math.log(p / (1 - p))
  const base = batchIndex * anchors.length
  for (const [i, anchor] of anchors.entries()) {
    const logit = scores[base + i]
    if (!(logit >= minLogit)) continue
    const r = (base + i) * 16
    const cx = regressors[r] / inputSize + anchor.x
    const cy = regressors[r + 1] / inputSize + anchor.y
    const w = regressors[r + 2] / inputSize
    const h = regressors[r + 3] / inputSize
    if (!(w > 0 && h > 0)) continue
    const keypoints: [number, number][] = []
    for (let k = 0; k < 6; k++) {
      keypoints.push([
        regressors[r + 4 + 2 * k] / inputSize + anchor.x,
        regressors[r + 5 + 2 * k] / inputSize + anchor.y,
      ])
    }
    faces.push({
      x: cx - w / 2,
      y: cy - h / 2,
      width: w,
      height: h,
      score: sigmoid(logit),
      keypoints,
    })
  }
  return faces
}

/**
 * MediaPipe's WEIGHTED non-maximum suppression: take the best remaining face, gather every
 * remaining face overlapping it by more than `minIou`, and replace the cluster by the
 * score-weighted mean of their boxes and keypoints (keeping the best score). Averaging the
 * many anchors that fire on one face gives steadier boxes than keeping the single best one.
 */
export function weightedNms<T extends RawFace>(faces: T[], minIou = 0.3): T[] {
  const remaining = [...faces].sort((a, b) => b.score - a.score)
  const kept: T[] = []
  while (remaining.length > 0) {
    const best = remaining[0]
    const cluster: T[] = []
    const rest: T[] = []
    for (const face of remaining)
      (iou(best, face) > minIou || face === best ? cluster : rest).push(face)
    let total = 0
    let x0 = 0
    let y0 = 0
    let x1 = 0
    let y1 = 0
    const keypoints = best.keypoints.map(() => [0, 0] as [number, number])
    for (const face of cluster) {
      total += face.score
      x0 += face.x * face.score
      y0 += face.y * face.score
      x1 += (face.x + face.width) * face.score
      y1 += (face.y + face.height) * face.score
      face.keypoints.forEach(([kx, ky], k) => {
        if (!keypoints[k]) return
        keypoints[k][0] += kx * face.score
        keypoints[k][1] += ky * face.score
      })
    }
    kept.push({
      ...best,
      x: x0 / total,
      y: y0 / total,
      width: (x1 - x0) / total,
      height: (y1 - y0) / total,
      keypoints: keypoints.map(([kx, ky]) => [kx / total, ky / total]),
    })
    remaining.splice(0, remaining.length, ...rest)
  }
  return kept
}

/** The regressors [B, N, 16] and score logits [B, N, 1] of one run, whatever the outputs are called. */
export function splitOutputs(output: Record<string, Tensor>) {
  const tensors = Object.values(output)
  const regressors = tensors.find((t) => t.dims[t.dims.length - 1] === 16)
  const scores = tensors.find((t) => t.dims[t.dims.length - 1] === 1 && t.dims.length === 3)
  if (!regressors || !scores) {
    throw new Error(
      `BlazeFace outputs expected as [B, N, 16] and [B, N, 1], got ${tensors.map((t) => `[${t.dims}]`).join(', ')}`
    )
  }
  return { regressors, scores, count: regressors.dims[0] }
}
