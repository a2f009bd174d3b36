/**
 * BlazePose GHUM landmarks on one person: MediaPipe's region of interest (a square around the
 * body circle, rotated so the body stands upright), a 256×256 crop sampled through that rotation
 * from the I420 frame, the landmark model, and the 33 keypoints mapped back through the same
 * affine map. The model also gives 6 auxiliary points; two of them (hip centre and body scale
 * point) give the region for the next frame, so a person can be followed without the detector.
 */
import type { Frame } from '../../pipeline/types.js'
import { itemOf, runBatch } from '../runtime/batch.js'
import type { Box, Model, Tensor } from '../types.js'
import { applyAffine, sampleRgb, type Affine } from '../../video/sample/affine.js'

export const LANDMARK_INPUT = 256
/** Keypoints the landmark model outputs: 33 body points, then 6 auxiliary ones. */
const ALL_POINTS = 39
/** MediaPipe enlarges the body circle's square by this margin. */
const ROI_MARGIN = 1.25

/** A square region of the frame: centre and side in frame pixels, rotation in radians (clockwise on screen). */
export interface Roi {
  cx: number
  cy: number
  size: number
  rotation: number
}

export interface LandmarkResult {
  /** Pose presence (the model's pose flag), 0–1. */
  score: number
  /** 33 BlazePose keypoints: x, y in frame pixels, visibility 0–1. */
  keypoints: [number, number, number][]
  /** Depth of each keypoint relative to the hips, in the same pixel scale as x (negative: nearer the camera). */
  depth: number[]
  /** Box around the visible keypoints, clipped to the frame. */
  bbox: Box
  /** Where to look for this person in the next frame. */
  next: Roi
  /** The region this result was computed in. */
  roi: Roi
}

/**
 * MediaPipe's alignment: centre on `centre` (hip centre), side twice the distance to `scale`
 * (the body-circle point) times the margin, rotated so `centre → scale` points up.
 */
export function roiFromAlignment(
  centre: [number, number],
  scale: [number, number],
  margin = ROI_MARGIN
): Roi {
  const dx = scale[0] - centre[0]
  const dy = scale[1] - centre[1]
  return {
    cx: centre[0],
    cy: centre[1],
    size: 2 * Math.hypot(dx, dy) * margin,
    rotation: normalizeAngle(Math.PI / 2 - Math.atan2(-dy, dx)),
  }
}

/** The region from a detector result (its hip centre and full-body scale keypoints). */
export function roiFromDetection(detection: { keypoints: [number, number][] }): Roi {
  return roiFromAlignment(detection.keypoints[0], detection.keypoints[1])
}

/**
 * A region from a person box (e.g. last frame's `bbox`, or a tracker's box), upright: the box's
 * longer side with room for limbs the box missed.
 */
export function roiFromBox(box: Box, margin = ROI_MARGIN): Roi {
  return {
    cx: box.x + box.width / 2,
    cy: box.y + box.height / 2,
    size: Math.max(box.width, box.height) * margin,
    rotation: 0,
  }
}

/**
 * A region from 33 BlazePose keypoints (frame pixels) when the auxiliary points are gone, e.g.
 * after smoothing: centred on the visible keypoints' box, upright along hips → shoulders.
 */
export function roiFromKeypoints(keypoints: [number, number, number][], minVisibility = 0.5): Roi {
  const box = keypointBox(keypoints, minVisibility)
  const hips = midpoint(keypoints[23], keypoints[24])
  const shoulders = midpoint(keypoints[11], keypoints[12])
  const rotation = normalizeAngle(
    Math.PI / 2 - Math.atan2(-(shoulders[1] - hips[1]), shoulders[0] - hips[0])
  )
  // The box is axis-aligned: its diagonal bounds the body whatever the tilt.
  const side = Math.hypot(box.width, box.height)
  return { cx: box.x + box.width / 2, cy: box.y + box.height / 2, size: side * 1.1, rotation }
}

/** The affine map from the 256² crop's pixels to frame pixels for `roi`. */
export function roiAffine(roi: Roi, input = LANDMARK_INPUT): Affine {
  const cos = Math.cos(roi.rotation)
  const sin = Math.sin(roi.rotation)
  const s = roi.size / input
  const half = roi.size / 2
  return {
    a: cos * s,
    b: -sin * s,
    c: roi.cx - cos * half + sin * half,
    d: sin * s,
    e: cos * s,
    f: roi.cy - sin * half - cos * half,
  }
}

export class PoseLandmarker {
  constructor(
    readonly model: Model,
    /** Minimum pose flag for a result (MediaPipe: 0.5). */
    readonly threshold = 0.5
  ) {}

  /**
   * Landmarks of the person in each region, or null where the model says no person is there,
   * in one batched run.
   */
  async run(frame: Frame, rois: readonly Roi[]): Promise<(LandmarkResult | null)[]> {
    if (rois.length === 0) return []
    const maps = rois.map((roi) => roiAffine(roi))
    const inputs = maps.map((map) => sampleRgb(frame, map, LANDMARK_INPUT, [0, 1]))
    const outputs = await runBatch(this.model, inputs, [LANDMARK_INPUT, LANDMARK_INPUT, 3])
    return rois.map((roi, i) => this.#result(frame, roi, maps[i], itemOf(outputs, i)))
  }

  #result(
    frame: Frame,
    roi: Roi,
    map: Affine,
    outputs: Record<string, Tensor>
  ): LandmarkResult | null {
    const { landmarks, flag } = landmarkOutputs(outputs)
    // The converted graphs end the flag with a sigmoid already; a raw logit is squashed here.
    const score = flag >= 0 && flag <= 1 ? flag : sigmoid(flag)
    if (score < this.threshold) return null
    const points: [number, number, number][] = []
    const depth: number[] = []
    const scale = roi.size / LANDMARK_INPUT
    for (let i = 0; i < ALL_POINTS; i++) {
      const [x, y] = applyAffine(map, landmarks[i * 5], landmarks[i * 5 + 1])
      points.push([x, y, sigmoid(landmarks[i * 5 + 3])])
      depth.push(landmarks[i * 5 + 2] * scale)
    }
    const keypoints = points.slice(0, 33)
    const [hip, circle] = [points[33], points[34]]
    return {
      score,
      keypoints,
      depth: depth.slice(0, 33),
      bbox: clipBox(keypointBox(keypoints, 0.5), frame.width, frame.height),
      next: roiFromAlignment([hip[0], hip[1]], [circle[0], circle[1]]),
      roi,
    }
  }
}

/** Picks the landmarks (195 values) and pose flag (1 value) by size, whatever their names. */
function landmarkOutputs(outputs: Record<string, Tensor>) {
  let landmarks: Float32Array | undefined
  let flag: number | undefined
  for (const tensor of Object.values(outputs)) {
    if (tensor.data.length === ALL_POINTS * 5) landmarks = tensor.data
    else if (tensor.data.length === 1) flag = tensor.data[0]
  }
  if (!landmarks || flag === undefined) {
    const shapes = Object.entries(outputs).map(([name, t]) => `${name} [${t.dims.join(', ')}]`)
    throw new Error(`the pose landmark model gave unexpected outputs: ${shapes.join(', ')}`)
  }
  return { landmarks, flag }
}

/** Box around keypoints at least `minVisibility` visible (all of them when fewer than 3 are). */
export function keypointBox(keypoints: [number, number, number][], minVisibility = 0.5): Box {
  let chosen = keypoints.filter((k) => k[2] >= minVisibility)
  if (chosen.length < 3) chosen = keypoints
  let x0 = Infinity
  let y0 = Infinity
  let x1 = -Infinity
  let y1 = -Infinity
  for (const [x, y] of chosen) {
    x0 = Math.min(x0, x)
    y0 = Math.min(y0, y)
    x1 = Math.max(x1, x)
    y1 = Math.max(y1, y)
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
}

function clipBox(box: Box, width: number, height: number): Box {
  const x0 = Math.max(0, Math.min(width, box.x))
  const y0 = Math.max(0, Math.min(height, box.y))
  const x1 = Math.max(0, Math.min(width, box.x + box.width))
  const y1 = Math.max(0, Math.min(height, box.y + box.height))
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
}

function midpoint(a: [number, number, number], b: [number, number, number]): [number, number] {
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]
}

function normalizeAngle(angle: number) {
  return angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI))
}

function sigmoid(value: number) {
  return 1 / (1 + Math.exp(-value))
}
