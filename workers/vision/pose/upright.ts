/**
 * A head turned upright: the square around a person's head, rotated by the head's angle from
 * the pose landmarks (./head.ts) into a small frame of its own, so a face detector trained on
 * upright faces can look at an upside-down or lying one; and its detections mapped back into
 * the frame they came from.
 */
import type { Frame } from '../../pipeline/types.js'
import type { Box } from '../types.js'

/** Side of the upright crop: BlazeFace short range's input, so the model sees it unscaled. */
export const UPRIGHT_SIZE = 128
/** The crop's side over the face's longer side: room for the face detector's own anchors and a misplaced head. */
const CROP_PER_FACE = 2.2

export interface UprightCrop {
  frame: Frame
  /** Frame pixels per crop pixel. */
  scale: number
  cx: number
  cy: number
  /** Radians the crop is turned by (the head's angle): crop up is the head's up. */
  radians: number
}

/**
 * The head `head` (centre and size in frame pixels) turned by `angle` degrees (clockwise from
 * upright, see headAngle) into an UPRIGHT_SIZE square yuv420p frame; outside the frame is black.
 */
export function uprightCrop(
  frame: Frame,
  head: Box,
  angle: number,
  size = UPRIGHT_SIZE
): UprightCrop {
  const cx = head.x + head.width / 2
  const cy = head.y + head.height / 2
  const scale = (CROP_PER_FACE * Math.max(head.width, head.height)) / size
  const radians = (angle * Math.PI) / 180
  const data = Buffer.alloc(size * size * 1.5)
  data.fill(128, size * size)
  const { width, height } = frame
  const lumaSize = width * height
  const chromaWidth = width >> 1
  const chromaSize = chromaWidth * (height >> 1)
  const cos = Math.cos(radians)
  const sin = Math.sin(radians)
  // Nearest-neighbour sampling: the face detector sees the crop at 128 px, finer than it needs.
  const sample = (u: number, v: number): [number, number] | undefined => {
    const [x, y] = toFrame(u, v, cx, cy, scale, cos, sin, size)
    const px = Math.floor(x)
    const py = Math.floor(y)
    return px >= 0 && py >= 0 && px < width && py < height ? [px, py] : undefined
  }
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const at = sample(u + 0.5, v + 0.5)
      if (at) data[v * size + u] = frame.data[at[1] * width + at[0]]
    }
  }
  const half = size >> 1
  for (let v = 0; v < half; v++) {
    for (let u = 0; u < half; u++) {
      const at = sample(2 * u + 1, 2 * v + 1)
      if (!at) continue
      const source = (at[1] >> 1) * chromaWidth + (at[0] >> 1)
      data[size * size + v * half + u] = frame.data[lumaSize + source]
      data[size * size + half * half + v * half + u] = frame.data[lumaSize + chromaSize + source]
    }
  }
  return {
    frame: {
      index: frame.index,
      timeMs: frame.timeMs,
      width: size,
      height: size,
      format: 'yuv420p',
      data,
    },
    scale,
    cx,
    cy,
    radians,
  }
}

/** A box found on the crop, in frame pixels: the frame-aligned bound of its four corners turned back. */
export function fromUpright(crop: UprightCrop, box: Box): Box {
  const cos = Math.cos(crop.radians)
  const sin = Math.sin(crop.radians)
  const corners = [
    [box.x, box.y],
    [box.x + box.width, box.y],
    [box.x, box.y + box.height],
    [box.x + box.width, box.y + box.height],
  ].map(([u, v]) => toFrame(u, v, crop.cx, crop.cy, crop.scale, cos, sin, crop.frame.width))
  const xs = corners.map(([x]) => x)
  const ys = corners.map(([, y]) => y)
  const x = Math.min(...xs)
  const y = Math.min(...ys)
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y }
}

/** Crop pixel (u, v) in frame pixels: the crop's up, (0, -1), is the head's up, (sin, -cos). */
function toFrame(
  u: number,
  v: number,
  cx: number,
  cy: number,
  scale: number,
  cos: number,
  sin: number,
  size: number
) {
  const dx = (u - size / 2) * scale
  const dy = (v - size / 2) * scale
  return [cx + dx * cos - dy * sin, cy + dx * sin + dy * cos]
}
