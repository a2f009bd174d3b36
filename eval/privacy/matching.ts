/** How boxes are compared: one-to-one matching by overlap, coverage, nearness. */
import type { Box } from '../../workers/vision/types.js'
import { iou } from '#workers/vision/geometry'
import { MATCH_IOU } from './targets.js'

export function covers(box: Box, x: number, y: number) {
  return x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height
}

/** One-to-one matching, best overlaps first: a detection can explain only one label. */
export function matchBoxes(labels: Box[], detections: Box[], minIou = MATCH_IOU) {
  const pairs: [number, number, number][] = []
  labels.forEach((l, i) => detections.forEach((d, j) => pairs.push([iou(l, d), i, j])))
  pairs.sort((a, b) => b[0] - a[0])
  const labelTo = new Array<number>(labels.length).fill(-1)
  const detectionTo = new Array<number>(detections.length).fill(-1)
  for (const [overlap, i, j] of pairs) {
    if (overlap < minIou) break
    if (labelTo[i] !== -1 || detectionTo[j] !== -1) continue
    labelTo[i] = j
    detectionTo[j] = i
  }
  return { labelTo, detectionTo }
}

/** Share of `box` inside the union of `covering` boxes, on a grid of at most 64 × 64 points. */
export function coveredShare(box: Box, covering: Box[]) {
  const nx = Math.max(1, Math.min(64, Math.round(box.width)))
  const ny = Math.max(1, Math.min(64, Math.round(box.height)))
  let inside = 0
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) {
      const x = box.x + ((i + 0.5) * box.width) / nx
      const y = box.y + ((j + 0.5) * box.height) / ny
      if (covering.some((c) => covers(c, x, y))) inside++
    }
  }
  return inside / (nx * ny)
}

/** Overlapping noticeably (IoU ≥ 0.1), or one box's centre inside the other: Haar and OCR boxes differ in shape from the labels. */
export function touches(label: Box, b: Box) {
  return (
    iou(label, b) >= 0.1 ||
    covers(b, label.x + label.width / 2, label.y + label.height / 2) ||
    covers(label, b.x + b.width / 2, b.y + b.height / 2)
  )
}

/** Same place, allowing for tesseract's box jitter: the boxes touch once grown by half a height. */
export function near(a: Box, b: Box) {
  const grow = Math.max(a.height, b.height) / 2
  return (
    iou(
      { x: a.x - grow, y: a.y - grow, width: a.width + 2 * grow, height: a.height + 2 * grow },
      b
    ) > 0
  )
}
