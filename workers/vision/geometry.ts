/** Box arithmetic shared by the detectors, trackers and processors. */
import type { Box } from './types.js'

/** Intersection over union of two boxes (0 when they do not touch or are empty). */
export function iou(a: Box, b: Box) {
  const ix = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const iy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  if (ix <= 0 || iy <= 0) return 0
  const inter = ix * iy
  const combined = a.width * a.height + b.width * b.height - inter
  return combined > 0 ? inter / combined : 0
}

/**
 * Squares as tall as the frame's short side, spread evenly along the long side with at least
 * an eighth of overlap: how a square model (the SSD face and CenterNet person detectors) sees a
 * wide frame without squashing it or shrinking it to its long side.
 */
export function shortSideSquares(width: number, height: number): Box[] {
  const side = Math.min(width, height)
  const long = Math.max(width, height)
  const count = long <= side ? 1 : Math.ceil((long - side / 8) / (side - side / 8))
  const step = count > 1 ? (long - side) / (count - 1) : 0
  return Array.from({ length: count }, (_, i) => {
    const at = Math.round(i * step)
    return width >= height
      ? { x: at, y: 0, width: side, height: side }
      : { x: 0, y: at, width: side, height: side }
  })
}

/** The smallest box holding both. */
export function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x)
  const y = Math.min(a.y, b.y)
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  }
}

/** Whether the centre of `box` lies inside `area` (edges included). */
export function centreInside(box: Box, area: Box) {
  const x = box.x + box.width / 2
  const y = box.y + box.height / 2
  return x >= area.x && x <= area.x + area.width && y >= area.y && y <= area.y + area.height
}

/** A box grown by `margin` of its size on each side. */
export function grow(box: Box, margin: number): Box {
  return {
    x: box.x - box.width * margin,
    y: box.y - box.height * margin,
    width: box.width * (1 + 2 * margin),
    height: box.height * (1 + 2 * margin),
  }
}
