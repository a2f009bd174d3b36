/**
 * PP-OCRv4 text detection (DB, "differentiable binarization"): the model turns an image into a
 * per-pixel probability of "inside a text line"; text lines come out shrunk (the model was
 * trained on shrunk polygons), so each thresholded blob is grown back ("unclipped") before use.
 *
 * Boxes are axis-aligned: the caller blurs them, so the tighter rotated boxes PaddleOCR computes
 * would buy nothing.
 */
import type { Frame } from '../../pipeline/types.js'
import { toRgb } from '../../video/sample/crop.js'
import type { Rect } from '../../video/yuv.js'
import type { Box, Detection, Tensor } from '../types.js'

/** PaddleOCR's detection normalisation (ImageNet statistics), applied to B, G, R in that order. */
const MEAN = [0.485, 0.456, 0.406]
const STD = [0.229, 0.224, 0.225]
/** Each channel's normalised value for each byte, worked out once (a zoomed torso is ~900 000 pixels). */
const NORMALISED = [0, 1, 2].map((c) =>
  Float32Array.from({ length: 256 }, (_, v) => (v / 255 - MEAN[c]) / STD[c])
)

/** The network downsamples by 32: both sides of its input must be multiples of it. */
export const DETECTOR_STRIDE = 32

export interface DbOptions {
  /** Probability above which a pixel belongs to text (PaddleOCR: 0.3). */
  threshold: number
  /** Blobs whose mean probability is below this are dropped (PaddleOCR: 0.6). */
  boxThreshold: number
  /** How far a blob is grown: area × ratio / perimeter pixels on every side (PaddleOCR: 1.5). */
  unclipRatio: number
  /** Blobs whose shorter side (map pixels, before growing) is below this are noise. */
  minSize: number
  /** At most this many boxes per map, the strongest first (a stripe pattern can make thousands). */
  maxCandidates: number
}

export const DEFAULT_DB_OPTIONS: DbOptions = {
  threshold: 0.3,
  boxThreshold: 0.6,
  unclipRatio: 1.6,
  minSize: 3,
  maxCandidates: 200,
}

/** One region of a frame as placed in a detector input: map pixel (u, v) is frame (x + u / scale, y + v / scale). */
export interface Placement {
  /** The frame region (clipped to the frame, whole pixels). */
  crop: Rect
  /** Map pixels per frame pixel. */
  scale: number
  /** Size of the region's content in the map; the rest of the input is padding. */
  width: number
  height: number
}

/** `box` clipped to `width × height` and rounded out to whole pixels; null when nothing is left. */
export function clipBox(box: Box, width: number, height: number): Rect | null {
  const x0 = Math.max(0, Math.floor(box.x))
  const y0 = Math.max(0, Math.floor(box.y))
  const x1 = Math.min(width, Math.ceil(box.x + box.width))
  const y1 = Math.min(height, Math.ceil(box.y + box.height))
  if (x1 - x0 < 2 || y1 - y0 < 2) return null
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
}

/** Rounds up to a multiple of the detector stride (at least one stride). */
export function strideCeil(value: number) {
  return Math.max(DETECTOR_STRIDE, Math.ceil(value / DETECTOR_STRIDE) * DETECTOR_STRIDE)
}

/**
 * Where a region lands in the detector input when its longer side is brought to `side` pixels,
 * never enlarged beyond `maxUpscale` (enlarging adds no detail, only cost).
 */
export function placeRegion(crop: Rect, side: number, maxUpscale = 1): Placement {
  const scale = Math.min(maxUpscale, side / Math.max(crop.width, crop.height))
  return {
    crop,
    scale,
    width: Math.max(1, Math.round(crop.width * scale)),
    height: Math.max(1, Math.round(crop.height * scale)),
  }
}

/**
 * The detector input for several regions of one frame, all in one batch of `inputWidth ×
 * inputHeight` (multiples of 32, at least each placement's size). Each region sits at the
 * top-left of its slot; the padding is zero, i.e. the mean colour after normalisation, which the
 * model reads as "nothing here".
 */
export function detectorInput(
  frame: Pick<Frame, 'width' | 'height' | 'data'>,
  placements: readonly Placement[],
  inputWidth: number,
  inputHeight: number
): Tensor {
  if (inputWidth % DETECTOR_STRIDE || inputHeight % DETECTOR_STRIDE) {
    throw new Error(
      `detector input ${inputWidth}x${inputHeight} is not a multiple of ${DETECTOR_STRIDE}`
    )
  }
  const plane = inputWidth * inputHeight
  const data = new Float32Array(placements.length * 3 * plane)
  placements.forEach((placement, n) => {
    const { width, height } = placement
    if (width > inputWidth || height > inputHeight)
      throw new Error('a region does not fit the detector input')
    const rgb = toRgb(frame, placement.crop, { width, height }, { sampling: 'bilinear' })
    const base = n * 3 * plane
    const [first, second, third] = NORMALISED
    for (let row = 0; row < height; row++) {
      let i = row * width * 3
      let o = base + row * inputWidth
      for (let col = 0; col < width; col++, i += 3, o++) {
        // BGR order: the model was trained on OpenCV's channel order.
        data[o] = first[rgb[i + 2]]
        data[o + plane] = second[rgb[i + 1]]
        data[o + 2 * plane] = third[rgb[i]]
      }
    }
  })
  return { data, dims: [placements.length, 3, inputHeight, inputWidth] }
}

/**
 * Text boxes in one probability map (`width × height`, row-major, starting at `offset` in
 * `prob`), in map pixels, strongest first. Only the top-left `limitWidth × limitHeight` is
 * searched (the rest is padding).
 */
export function dbBoxes(
  prob: Float32Array,
  width: number,
  height: number,
  options: Partial<DbOptions> = {},
  offset = 0,
  limitWidth = width,
  limitHeight = height
): Detection[] {
  const { threshold, boxThreshold, unclipRatio, minSize, maxCandidates } = {
    ...DEFAULT_DB_OPTIONS,
    ...options,
  }
  const w = Math.min(width, limitWidth)
  const h = Math.min(height, limitHeight)
  // 0 = background, 1 = text not yet visited, 2 = visited.
  const state = new Uint8Array(w * h)
  for (let y = 0; y < h; y++) {
    const row = offset + y * width
    for (let x = 0; x < w; x++) if (prob[row + x] > threshold) state[y * w + x] = 1
  }
  const boxes: Detection[] = []
  // An explicit stack instead of recursion: a blob can span the whole map.
  let stack = new Int32Array(1024)
  for (let start = 0; start < state.length; start++) {
    if (state[start] !== 1) continue
    state[start] = 2
    stack[0] = start
    let top = 1
    let count = 0
    let sum = 0
    let minX = w
    let minY = h
    let maxX = -1
    let maxY = -1
    while (top > 0) {
      const index = stack[--top]
      const x = index % w
      const y = (index - x) / w
      count++
      sum += prob[offset + y * width + x]
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
      // 8-connectivity, as OpenCV's contour tracing that PaddleOCR relies on.
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy
        if (ny < 0 || ny >= h) continue
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx
          if (nx < 0 || nx >= w) continue
          const next = ny * w + nx
          if (state[next] !== 1) continue
          state[next] = 2
          if (top === stack.length) {
            const bigger = new Int32Array(stack.length * 2)
            bigger.set(stack)
            stack = bigger
          }
          stack[top++] = next
        }
      }
    }
    const boxWidth = maxX - minX + 1
    const boxHeight = maxY - minY + 1
    if (Math.min(boxWidth, boxHeight) < minSize) continue
    const score = sum / count
    if (score < boxThreshold) continue
    // The shrunk blob's own area (not its bounding box): a slanted line's box is mostly empty.
    const distance = (count * unclipRatio) / (2 * (boxWidth + boxHeight))
    const x0 = Math.max(0, minX - distance)
    const y0 = Math.max(0, minY - distance)
    const x1 = Math.min(w, maxX + 1 + distance)
    const y1 = Math.min(h, maxY + 1 + distance)
    boxes.push({ x: x0, y: y0, width: x1 - x0, height: y1 - y0, score })
  }
  boxes.sort((a, b) => b.score - a.score)
  return boxes.slice(0, maxCandidates)
}

/** A box in map pixels of `placement` as frame pixels, clipped to its region. */
export function toFrame(box: Detection, placement: Placement): Detection {
  const { crop, scale } = placement
  const x0 = Math.max(crop.x, crop.x + box.x / scale)
  const y0 = Math.max(crop.y, crop.y + box.y / scale)
  const x1 = Math.min(crop.x + crop.width, crop.x + (box.x + box.width) / scale)
  const y1 = Math.min(crop.y + crop.height, crop.y + (box.y + box.height) / scale)
  return {
    x: x0,
    y: y0,
    width: Math.max(0, x1 - x0),
    height: Math.max(0, y1 - y0),
    score: box.score,
  }
}
