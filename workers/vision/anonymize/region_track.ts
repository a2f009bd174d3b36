/**
 * Follows a box a reviewer drew on one frame of the anonymized video through the frames around
 * it, forward and back, for a manual redaction. There is no detector for "what the reviewer
 * meant", so the detector here is the drawn patch itself: each frame is searched around where
 * our BoxTracker (./track.ts) predicts the box, by normalised cross-correlation with the patch
 * from the anchor frame; a good match is the tracker's detection, a poor one (the thing turned
 * away, was covered, left the search area) lets the tracker coast, its margin growing, and past
 * the tracker's patience the last box is held. The box never disappears inside the range: a
 * reviewer who asked for frames s–e to be covered gets every one of them covered.
 *
 * Tracking works on small grey frames (`trackingScale`): the patch is searched at about
 * PATCH_SIDE pixels, which is enough to tell it from its surroundings and keeps a frame's
 * search around a millisecond.
 */
import { BoxTracker } from './track.js'
import type { Box } from '../types.js'

/** One decoded grey frame (luma only), `width × height` bytes. */
export interface GreyFrame {
  width: number
  height: number
  data: Uint8Array
}

/** The box at one output frame, in full-size pixels; `lost` when no match held it there. */
export interface TrackedRegion extends Box {
  frame: number
  lost: boolean
}

/** The patch's longer side at the tracking scale. */
const PATCH_SIDE = 32
/** Smallest and largest scale frames are tracked at (a 10 s range at 0.5 is 69 MB of grey frames). */
const MIN_SCALE = 0.125
const MAX_SCALE = 0.5
/** Correlation from which a match counts as the patch (1 = identical up to brightness and contrast). */
export const MATCH_THRESHOLD = 0.6
/** Frames the tracker coasts on predictions before the last box is simply held. */
const MAX_MISSED = 10

/** The scale frames are decoded at to track `box`: its longer side near PATCH_SIDE pixels. */
export function trackingScale(box: Box) {
  const side = Math.max(box.width, box.height)
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, PATCH_SIDE / Math.max(1, side)))
}

/**
 * The box drawn on frame `anchor` followed over `frames` (output frames `first`, `first + 1`…,
 * decoded at `scale`), forward to the last and back to the first. Boxes are full-size pixels,
 * clipped to the frame of `fullSize`.
 */
export function trackRegion(
  frames: GreyFrame[],
  first: number,
  anchor: number,
  box: Box,
  scale: number,
  fullSize: { width: number; height: number }
): TrackedRegion[] {
  const at = anchor - first
  if (at < 0 || at >= frames.length)
    throw new RangeError(`anchor frame ${anchor} is outside the decoded frames`)
  const small = {
    x: box.x * scale,
    y: box.y * scale,
    width: box.width * scale,
    height: box.height * scale,
  }
  const patch = Patch.cut(frames[at], small)
  const toFull = (found: Box): Box =>
    clip(
      {
        x: found.x / scale,
        y: found.y / scale,
        width: found.width / scale,
        height: found.height / scale,
      },
      fullSize
    )
  const result = new Map<number, TrackedRegion>()
  result.set(anchor, { frame: anchor, ...clip(box, fullSize), lost: false })
  // Forward, then back: each direction is its own track in its own time (steps away from the anchor).
  for (const direction of [1, -1] as const) {
    const tracker = new BoxTracker({ margin: 0, maxMissed: MAX_MISSED, smoothing: 0.3 })
    tracker.update(0, [{ ...small, score: 1 }])
    let held: Box = small
    for (let step = 1; ; step++) {
      const index = at + direction * step
      if (index < 0 || index >= frames.length) break
      const predicted = tracker.unmatched(step, [])[0] ?? held
      const match = patch ? patch.search(frames[index], predicted) : null
      const boxes =
        match && match.score >= MATCH_THRESHOLD
          ? tracker.update(step, [match])
          : tracker.predict(step)
      const live = boxes[0]
      if (live) held = live
      result.set(first + index, { frame: first + index, ...toFull(held), lost: !live?.detected })
    }
  }
  return [...result.values()].sort((a, b) => a.frame - b.frame)
}

/** The box inside the frame, in whole pixels, at least one pixel each way. */
function clip(box: Box, size: { width: number; height: number }): Box {
  const x0 = Math.min(size.width - 1, Math.max(0, Math.floor(box.x)))
  const y0 = Math.min(size.height - 1, Math.max(0, Math.floor(box.y)))
  const x1 = Math.max(x0 + 1, Math.min(size.width, Math.ceil(box.x + box.width)))
  const y1 = Math.max(y0 + 1, Math.min(size.height, Math.ceil(box.y + box.height)))
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
}

/** The drawn patch, zero-mean, and its search by normalised cross-correlation. */
class Patch {
  private constructor(
    readonly width: number,
    readonly height: number,
    /** Pixel values minus their mean. */
    readonly centred: Float64Array,
    /** sqrt(Σ centred²). */
    readonly norm: number
  ) {}

  /** The patch under `box` in `frame`; null when it is flat (nothing to follow) or too small. */
  static cut(frame: GreyFrame, box: Box): Patch | null {
    const x0 = Math.max(0, Math.round(box.x))
    const y0 = Math.max(0, Math.round(box.y))
    const width = Math.min(frame.width, Math.round(box.x + box.width)) - x0
    const height = Math.min(frame.height, Math.round(box.y + box.height)) - y0
    if (width < 3 || height < 3) return null
    const values = new Float64Array(width * height)
    let sum = 0
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const value = frame.data[(y0 + y) * frame.width + x0 + x]
        values[y * width + x] = value
        sum += value
      }
    }
    const mean = sum / values.length
    let squares = 0
    for (let i = 0; i < values.length; i++) {
      values[i] -= mean
      squares += values[i] * values[i]
    }
    // A flat patch correlates with nothing: the tracker coasts, then holds the drawn box.
    if (squares < values.length) return null
    return new Patch(width, height, values, Math.sqrt(squares))
  }

  /**
   * The best match around `around` (its centre ± half the patch's size, at least 4 pixels), as
   * a detection whose score is the correlation; null when no position fits in the frame.
   */
  search(frame: GreyFrame, around: Box) {
    const { width, height, centred } = this
    const cx = around.x + around.width / 2
    const cy = around.y + around.height / 2
    const radius = Math.max(4, Math.ceil(Math.max(width, height) / 2))
    const left = Math.max(0, Math.round(cx - width / 2) - radius)
    const top = Math.max(0, Math.round(cy - height / 2) - radius)
    const right = Math.min(frame.width - width, Math.round(cx - width / 2) + radius)
    const bottom = Math.min(frame.height - height, Math.round(cy - height / 2) + radius)
    const n = width * height
    let best = { score: -Infinity, x: 0, y: 0 }
    for (let py = top; py <= bottom; py++) {
      for (let px = left; px <= right; px++) {
        let cross = 0
        let sum = 0
        let squares = 0
        for (let y = 0; y < height; y++) {
          const row = (py + y) * frame.width + px
          const patchRow = y * width
          for (let x = 0; x < width; x++) {
            const value = frame.data[row + x]
            cross += centred[patchRow + x] * value
            sum += value
            squares += value * value
          }
        }
        const variance = squares - (sum * sum) / n
        const score = variance > 0 ? cross / (this.norm * Math.sqrt(variance)) : 0
        if (score > best.score) best = { score, x: px, y: py }
      }
    }
    if (best.score === -Infinity) return null
    return { x: best.x, y: best.y, width, height, score: best.score }
  }
}
