/**
 * A face search's boxes brought together: each run's faces back in frame pixels (cut ones left
 * to the neighbouring tile), then one box per face across runs.
 */
import type { RawFace } from './blazeface.js'
import type { FaceDetection } from './detector.js'
import type { Placement, Region } from './regions.js'

/** Suppression overlap within one run and across runs (MediaPipe's value). */
export const NMS_IOU = 0.3
/** Share of the smaller box inside the larger above which two merged boxes are one face. */
const CONTAINED = 0.6
/** Two boxes of one face: they overlap past NMS_IOU, or one mostly lies within the other (see mergeRuns). */
export function sameFace(a: Region, b: Region) {
  const ix = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const iy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  if (ix <= 0 || iy <= 0) return false
  const inter = ix * iy
  const areaA = a.width * a.height
  const areaB = b.width * b.height
  return inter / (areaA + areaB - inter) > NMS_IOU || inter / Math.min(areaA, areaB) > CONTAINED
}

/**
 * Across runs the best box of each face wins outright: averaging a tight box from a tile with a
 * loose one from the whole frame (or two neighbouring faces the coarse run saw as one) gives a
 * box that fits neither. Runs at different scales also box one face differently enough that
 * their IoU can fall under the threshold: a weaker box that mostly lies within a stronger one,
 * or mostly contains it, is the same face.
 */
export function mergeRuns(faces: FaceDetection[]) {
  const kept: FaceDetection[] = []
  for (const face of [...faces].sort((a, b) => b.score - a.score)) {
    if (!kept.some((other) => sameFace(face, other))) kept.push(face)
  }
  return kept
}

/**
 * A face in frame pixels, or nothing when it touches a tile side that lies inside the frame: it
 * is cut there, and the neighbouring tile (or the whole-frame run) sees it whole.
 */
export function toFrame(face: RawFace, placement: Placement, size: number): FaceDetection[] {
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
