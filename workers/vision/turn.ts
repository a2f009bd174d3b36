/**
 * A whole yuv420p frame turned by a quarter, a half or three quarters, and the boxes and points
 * of one frame in the other's pixels. The vision step turns a keyframe upside down to look for
 * a body the person detectors miss inverted (./pose/processor.ts); the privacy evaluation and the
 * tests turn labelled pictures to check that turned faces are blurred like upright ones.
 *
 * Pixel (x, y) of a frame W × H turned clockwise by 90° lands at (H - 1 - y, x), by 180° at
 * (W - 1 - x, H - 1 - y), by 270° at (y, W - 1 - x). In continuous coordinates (a box's edges,
 * a keypoint) the `- 1` goes: the frame's edges map onto the turned frame's edges.
 */
import type { Frame } from '../pipeline/types.js'
import type { Box } from './types.js'

export type QuarterTurn = 90 | 180 | 270

/**
 * `frame` turned clockwise by `degrees`, into a new buffer (the frame itself is left alone). Both
 * sides must be even: the chroma planes are half the luma's each way, turned with it.
 */
export function turnFrame(frame: Frame, degrees: QuarterTurn): Frame {
  const { width, height } = frame
  if (width % 2 || height % 2)
    throw new Error(`a ${width}×${height} frame cannot be turned: yuv420p sides must be even`)
  const lumaSize = width * height
  const chromaSize = lumaSize / 4
  if (frame.data.length < lumaSize + 2 * chromaSize)
    throw new Error(
      `a ${width}×${height} frame needs ${lumaSize + 2 * chromaSize} bytes, got ${frame.data.length}`
    )
  const data = Buffer.alloc(lumaSize + 2 * chromaSize)
  const planes: [number, number, number][] = [
    [0, width, height],
    [lumaSize, width / 2, height / 2],
    [lumaSize + chromaSize, width / 2, height / 2],
  ]
  for (const [start, w, h] of planes) {
    const source = frame.data.subarray(start, start + w * h)
    const target = data.subarray(start, start + w * h)
    if (degrees === 180) {
      // Upside down is every plane read backwards.
      source.copy(target)
      target.reverse()
      continue
    }
    // The turned plane is h wide: source row y becomes target column h - 1 - y (90°) or y (270°).
    for (let y = 0; y < h; y++) {
      const row = y * w
      if (degrees === 90) {
        const column = h - 1 - y
        for (let x = 0; x < w; x++) target[x * h + column] = source[row + x]
      } else {
        for (let x = 0; x < w; x++) target[(w - 1 - x) * h + y] = source[row + x]
      }
    }
  }
  const [turnedWidth, turnedHeight] = degrees === 180 ? [width, height] : [height, width]
  return { ...frame, width: turnedWidth, height: turnedHeight, data }
}

/** Point (x, y) of a `width × height` frame in the frame turned clockwise by `degrees`. */
export function turnPoint(
  x: number,
  y: number,
  width: number,
  height: number,
  degrees: QuarterTurn
): [number, number] {
  if (degrees === 90) return [height - y, x]
  if (degrees === 180) return [width - x, height - y]
  return [y, width - x]
}

/** A box of a `width × height` frame in the frame turned clockwise by `degrees`. */
export function turnBox<T extends Box>(
  box: T,
  width: number,
  height: number,
  degrees: QuarterTurn
): T {
  const [ax, ay] = turnPoint(box.x, box.y, width, height, degrees)
  const [bx, by] = turnPoint(box.x + box.width, box.y + box.height, width, height, degrees)
  return {
    ...box,
    x: Math.min(ax, bx),
    y: Math.min(ay, by),
    width: Math.abs(bx - ax),
    height: Math.abs(by - ay),
  }
}

/** The turn that undoes `degrees`. */
export function undoTurn(degrees: QuarterTurn): QuarterTurn {
  return degrees === 180 ? 180 : degrees === 90 ? 270 : 90
}
