/**
 * Helpers for the frames the pipeline hands to its processors: planar YUV 4:2:0 ("I420",
 * ffmpeg's `yuv420p`), BT.709, limited ("tv") range, the same format the encoder writes to the
 * H.264 stream, so decode → processors → encode never converts colour.
 *
 * Layout of `frame.data` for a `width × height` frame: the Y (luma) plane, `width × height`
 * bytes, row by row; then the U (Cb) plane and the V (Cr) plane, each `cw × ch` bytes with
 * `cw = ceil(width / 2)`, `ch = ceil(height / 2)` (one chroma sample per 2×2 block of pixels).
 * Limited range: Y runs 16 (black) – 235 (white), U and V 16–240 around 128 (no colour), so
 * black is Y=16 U=V=128 and a grey is Y=g U=V=128.
 *
 * Processors that blur or paint regions work on the planes directly (`planes`, `paint`); a
 * model that needs a small RGB input takes one from ./sample/, which converts only the pixels
 * it returns.
 */
import type { Frame } from '../pipeline/types.js'

/** Bytes of one `yuv420p` frame of `width × height`. */
export function yuv420pBytes(width: number, height: number) {
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2)
}

export interface Planes {
  /** Luma, `width` bytes a row, `height` rows. */
  y: Buffer
  /** Blue-difference chroma, `chromaWidth` bytes a row, `chromaHeight` rows. */
  u: Buffer
  /** Red-difference chroma, same size as `u`. */
  v: Buffer
  width: number
  height: number
  chromaWidth: number
  chromaHeight: number
}

/** The three planes of a frame as views into `frame.data` (writing to them changes the frame). */
export function planes(frame: Pick<Frame, 'width' | 'height' | 'data'>): Planes {
  const { width, height, data } = frame
  const chromaWidth = Math.ceil(width / 2)
  const chromaHeight = Math.ceil(height / 2)
  const lumaSize = width * height
  const chromaSize = chromaWidth * chromaHeight
  if (data.length !== lumaSize + 2 * chromaSize) {
    throw new Error(
      `a ${width}x${height} yuv420p frame has ${lumaSize + 2 * chromaSize} bytes, not ${data.length}`
    )
  }
  return {
    y: data.subarray(0, lumaSize),
    u: data.subarray(lumaSize, lumaSize + chromaSize),
    v: data.subarray(lumaSize + chromaSize, lumaSize + 2 * chromaSize),
    width,
    height,
    chromaWidth,
    chromaHeight,
  }
}

/** A colour as limited-range BT.709 Y, U, V (0–255 bytes). */
export interface Yuv {
  y: number
  u: number
  v: number
}

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

/** Black in limited range. */
export const BLACK: Readonly<Yuv> = Object.freeze({ y: 16, u: 128, v: 128 })

/** A grey of luma `y` (16 black … 235 white). */
export function grey(y: number): Yuv {
  return { y, u: 128, v: 128 }
}

/** Full-range RGB (0–255) to limited-range BT.709 YUV, rounded to bytes. */
export function rgbToYuv(r: number, g: number, b: number): Yuv {
  const luma = 0.2126 * r + 0.7152 * g + 0.0722 * b
  return {
    y: clampByte(16 + (219 / 255) * luma),
    u: clampByte(128 + (224 / 255) * ((b - luma) / 1.8556)),
    v: clampByte(128 + (224 / 255) * ((r - luma) / 1.5748)),
  }
}

/** Limited-range BT.709 YUV to full-range RGB (0–255), rounded and clamped. */
export function yuvToRgb(y: number, u: number, v: number): [number, number, number] {
  const l = 1.164384 * (y - 16)
  const cb = u - 128
  const cr = v - 128
  return [
    clampByte(l + 1.792741 * cr),
    clampByte(l - 0.213249 * cb - 0.532909 * cr),
    clampByte(l + 2.112402 * cb),
  ]
}

/**
 * Paints `rect` (default: the whole frame) in one colour, in place. Chroma is shared by 2×2
 * blocks, so chroma is painted for every block the rectangle touches: an odd edge bleeds the
 * colour (not the luma) half a block, as any 4:2:0 painter does.
 */
export function paint(frame: Pick<Frame, 'width' | 'height' | 'data'>, color: Yuv, rect?: Rect) {
  const p = planes(frame)
  const area = clip(rect ?? { x: 0, y: 0, width: p.width, height: p.height }, p.width, p.height)
  if (!area) return
  const { x, y, width, height } = area
  if (x === 0 && width === p.width && y === 0 && height === p.height) {
    p.y.fill(color.y)
    p.u.fill(color.u)
    p.v.fill(color.v)
    return
  }
  for (let row = y; row < y + height; row++)
    p.y.fill(color.y, row * p.width + x, row * p.width + x + width)
  const cx0 = x >> 1
  const cx1 = (x + width + 1) >> 1
  for (let row = y >> 1; row < (y + height + 1) >> 1; row++) {
    p.u.fill(color.u, row * p.chromaWidth + cx0, row * p.chromaWidth + cx1)
    p.v.fill(color.v, row * p.chromaWidth + cx0, row * p.chromaWidth + cx1)
  }
}

/** `paint` over the whole frame. */
export function fill(frame: Pick<Frame, 'width' | 'height' | 'data'>, color: Yuv) {
  paint(frame, color)
}

/** `rect` rounded to whole pixels and clipped to the frame; null when nothing is left. */
export function clip(rect: Rect, width: number, height: number): Rect | null {
  const x0 = Math.max(0, Math.round(rect.x))
  const y0 = Math.max(0, Math.round(rect.y))
  const x1 = Math.min(width, Math.round(rect.x + rect.width))
  const y1 = Math.min(height, Math.round(rect.y + rect.height))
  if (x1 <= x0 || y1 <= y0) return null
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
}

export function clampByte(value: number) {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value)
}
