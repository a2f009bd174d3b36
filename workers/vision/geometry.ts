/** Box arithmetic shared by the detectors, trackers and processors. */
import type { Box } from './types.js'

/** Intersection over union of two boxes (0 when they do not touch or are empty). */
export function iou(a: Box, b: Box) {
  const ix = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const iy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  if (ix <= 0 || iy <= 0) return 0
  const inter = ix * iy
  const union = a.width * a.height + b.width * b.height - inter
  return union > 0 ? inter / union : 0
}
