/**
 * A crop of an I420 frame as packed RGB24 bytes, resized by nearest or bilinear sampling: the
 * text models' inputs. One of the three samplers here, each for what its models need:
 * ./crop.ts (bytes, small enlargements and reductions), ./area.ts (box means into a letterboxed
 * float input: the face and body detectors, which shrink tiles 1.5–7×), ./affine.ts (rotated,
 * scaled crops into a float input: pose).
 */
import type { Frame } from '../../pipeline/types.js'
import { clampByte, clip, planes, type Planes, type Rect } from '../yuv.js'

export interface ToRgbOptions {
  /** `nearest` (default) picks one source pixel per output pixel; `bilinear` interpolates. */
  sampling?: 'nearest' | 'bilinear'
}

/**
 * The pixels of `crop` (default: the whole frame; clipped to it) as packed RGB24, resized to
 * `size` (default: the crop's size), converted with BT.709 limited range → full range RGB.
 * Returns `size.width × size.height × 3` bytes, row by row. Meant for small model inputs: it
 * converts only the pixels it returns, in plain JavaScript.
 */
export function toRgb(
  frame: Pick<Frame, 'width' | 'height' | 'data'>,
  crop?: Rect,
  size?: { width: number; height: number },
  options: ToRgbOptions = {}
): Buffer {
  const p = planes(frame)
  const area = clip(crop ?? { x: 0, y: 0, width: p.width, height: p.height }, p.width, p.height)
  if (!area) throw new Error('toRgb: the crop lies outside the frame')
  const outW = Math.round(size?.width ?? area.width)
  const outH = Math.round(size?.height ?? area.height)
  if (!(outW > 0 && outH > 0)) throw new Error('toRgb: the output size must be positive')
  const out = Buffer.allocUnsafe(outW * outH * 3)
  const scaleX = area.width / outW
  const scaleY = area.height / outH
  if (options.sampling === 'bilinear') return bilinearRgb(p, area, outW, outH, out)
  let o = 0
  for (let oy = 0; oy < outH; oy++) {
    // Centre of the output pixel, in source pixel coordinates.
    const sy = area.y + (oy + 0.5) * scaleY
    for (let ox = 0; ox < outW; ox++) {
      const sx = area.x + (ox + 0.5) * scaleX
      const px = Math.min(p.width - 1, Math.floor(sx))
      const py = Math.min(p.height - 1, Math.floor(sy))
      const c = (py >> 1) * p.chromaWidth + (px >> 1)
      const y = p.y[py * p.width + px]
      const u = p.u[c]
      const v = p.v[c]
      const l = 1.164384 * (y - 16)
      const cb = u - 128
      const cr = v - 128
      out[o++] = clampByte(l + 1.792741 * cr)
      out[o++] = clampByte(l - 0.213249 * cb - 0.532909 * cr)
      out[o++] = clampByte(l + 2.112402 * cb)
    }
  }
  return out
}

/**
 * toRgb's bilinear sampling. Every output column samples the same source columns on every row
 * (and every row the same source rows), so the neighbours and weights are worked out once per
 * axis instead of once per pixel and plane: text crops, read every few frames, are its users.
 */
function bilinearRgb(p: Planes, area: Rect, outW: number, outH: number, out: Buffer) {
  const columns = bilinearAxis(area.x, area.width / outW, outW, p.width, p.chromaWidth)
  const rows = bilinearAxis(area.y, area.height / outH, outH, p.height, p.chromaHeight)
  let o = 0
  for (let oy = 0; oy < outH; oy++) {
    const l0 = rows.luma0[oy] * p.width
    const l1 = rows.luma1[oy] * p.width
    const lfy = rows.lumaFraction[oy]
    const c0 = rows.chroma0[oy] * p.chromaWidth
    const c1 = rows.chroma1[oy] * p.chromaWidth
    const cfy = rows.chromaFraction[oy]
    for (let ox = 0; ox < outW; ox++) {
      const x0 = columns.luma0[ox]
      const x1 = columns.luma1[ox]
      const cx0 = columns.chroma0[ox]
      const cx1 = columns.chroma1[ox]
      const cfx = columns.chromaFraction[ox]
      const l = 1.164384 * (lerp(p.y, l0, l1, x0, x1, columns.lumaFraction[ox], lfy) - 16)
      const cb = lerp(p.u, c0, c1, cx0, cx1, cfx, cfy) - 128
      const cr = lerp(p.v, c0, c1, cx0, cx1, cfx, cfy) - 128
      out[o++] = clampByte(l + 1.792741 * cr)
      out[o++] = clampByte(l - 0.213249 * cb - 0.532909 * cr)
      out[o++] = clampByte(l + 2.112402 * cb)
    }
  }
  return out
}

/**
 * Along one axis, for each output pixel's centre: the two luma samples around it, the weight of
 * the second, and the same for chroma (whose samples sit at the centres of 2×2 blocks); edges clamped.
 */
function bilinearAxis(
  start: number,
  scale: number,
  count: number,
  length: number,
  chromaLength: number
) {
  const luma0 = new Int32Array(count)
  const luma1 = new Int32Array(count)
  const lumaFraction = new Float64Array(count)
  const chroma0 = new Int32Array(count)
  const chroma1 = new Int32Array(count)
  const chromaFraction = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    const at = start + (i + 0.5) * scale
    ;[luma0[i], luma1[i], lumaFraction[i]] = neighbours(at - 0.5, length)
    ;[chroma0[i], chroma1[i], chromaFraction[i]] = neighbours(at / 2 - 0.5, chromaLength)
  }
  return { luma0, luma1, lumaFraction, chroma0, chroma1, chromaFraction }
}

/**
 * Bilinear sampling along one axis of a plane `length` samples long: the sample at or before
 * `at` (clamped to the plane), the one after it (the same one at the far edge), and the weight
 * of the second.
 */
export function neighbours(at: number, length: number): [number, number, number] {
  const clamped = Math.min(Math.max(at, 0), length - 1)
  const first = Math.floor(clamped)
  return [first, Math.min(first + 1, length - 1), clamped - first]
}

/** Bilinear mix of the samples at rows r0, r1 (offsets) and columns x0, x1. */
function lerp(
  plane: Buffer,
  r0: number,
  r1: number,
  x0: number,
  x1: number,
  fx: number,
  fy: number
) {
  const top = plane[r0 + x0] * (1 - fx) + plane[r0 + x1] * fx
  const bottom = plane[r1 + x0] * (1 - fx) + plane[r1 + x1] * fx
  return top * (1 - fy) + bottom * fy
}
