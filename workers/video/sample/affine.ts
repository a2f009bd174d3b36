/**
 * Model inputs straight from the I420 planes through an affine map, so the pose models can
 * take rotated, scaled and letterboxed crops without an intermediate RGB frame (only the
 * sampled pixels are converted).
 */
import type { Frame } from '../../pipeline/types.js'
import { planes, type Planes } from '../yuv.js'
import { neighbours } from './crop.js'

/**
 * Output pixel (u, v) (its centre, in output pixels) → source point (x, y) in frame pixels:
 * x = a·u + b·v + c, y = d·u + e·v + f.
 */
export interface Affine {
  a: number
  b: number
  c: number
  d: number
  e: number
  f: number
}

export function applyAffine(m: Affine, u: number, v: number): [number, number] {
  return [m.a * u + m.b * v + m.c, m.d * u + m.e * v + m.f]
}

/**
 * An `size × size` NHWC float RGB tensor sampled from `frame` through `map`, values scaled to
 * [low, high]; pixels whose centre falls outside the frame are black (`low`), as MediaPipe's
 * zero border. When one output pixel spans several source pixels, a few bilinear luma samples
 * are averaged so small people do not dissolve into aliasing.
 */
export function sampleRgb(
  frame: Pick<Frame, 'width' | 'height' | 'data'>,
  map: Affine,
  size: number,
  range: [number, number] = [0, 1]
): Float32Array {
  const p = planes(frame)
  const out = new Float32Array(size * size * 3)
  const [low, high] = range
  const k = (high - low) / 255
  const scale = Math.max(Math.hypot(map.a, map.d), Math.hypot(map.b, map.e))
  const taps = Math.min(4, Math.max(1, Math.ceil(scale / 2)))
  const step = 1 / taps
  const weight = 1 / (taps * taps)
  if (map.b === 0 && map.d === 0) return sampleUpright(p, map, size, taps, low, k, out)
  const { a, b, c, d, e, f } = map
  const { y: lumaPlane, u: cbPlane, v: crPlane, width, height, chromaWidth, chromaHeight } = p
  // The products that depend on the column only (and on the row only, below) are taken once:
  // the same products summed in the same order as a·u + b·v + c, so the same samples.
  const au = new Float64Array(size)
  const du = new Float64Array(size)
  const atu = new Float64Array(size * taps)
  const dtu = new Float64Array(size * taps)
  for (let ox = 0; ox < size; ox++) {
    au[ox] = a * (ox + 0.5)
    du[ox] = d * (ox + 0.5)
    for (let tx = 0; tx < taps; tx++) {
      const tu = ox + (tx + 0.5) * step
      atu[ox * taps + tx] = a * tu
      dtu[ox * taps + tx] = d * tu
    }
  }
  const btv = new Float64Array(taps)
  const etv = new Float64Array(taps)
  let o = 0
  for (let oy = 0; oy < size; oy++) {
    const bv = b * (oy + 0.5)
    const ev = e * (oy + 0.5)
    for (let ty = 0; ty < taps; ty++) {
      const tv = oy + (ty + 0.5) * step
      btv[ty] = b * tv
      etv[ty] = e * tv
    }
    for (let ox = 0; ox < size; ox++) {
      const x = au[ox] + bv + c
      const y = du[ox] + ev + f
      if (x < 0 || y < 0 || x >= width || y >= height) {
        out[o++] = low
        out[o++] = low
        out[o++] = low
        continue
      }
      let luma = 0
      for (let ty = 0; ty < taps; ty++) {
        for (let tx = 0; tx < taps; tx++) {
          const t = ox * taps + tx
          luma += bilinear(
            lumaPlane,
            width,
            height,
            atu[t] + btv[ty] + c - 0.5,
            dtu[t] + etv[ty] + f - 0.5
          )
        }
      }
      // Chroma is half resolution already: one sample at the pixel centre is enough for it.
      // Its samples sit at the centres of their 2×2 blocks; both planes share the neighbours.
      const cx = clampTo(x / 2 - 0.5, chromaWidth - 1)
      const cy = clampTo(y / 2 - 0.5, chromaHeight - 1)
      const x0 = Math.floor(cx)
      const y0 = Math.floor(cy)
      const x1 = x0 + 1 < chromaWidth ? x0 + 1 : x0
      const r0 = y0 * chromaWidth
      const r1 = (y0 + 1 < chromaHeight ? y0 + 1 : y0) * chromaWidth
      const cb = lerp2(cbPlane, r0, r1, x0, x1, cx - x0, cy - y0) - 128
      const cr = lerp2(crPlane, r0, r1, x0, x1, cx - x0, cy - y0) - 128
      writeRgb(out, o, luma * weight, cb, cr, low, k)
      o += 3
    }
  }
  return out
}

/**
 * `value` clamped to [0, last], as `bilinear` and `neighbours` clamp their coordinates. The
 * rotated path works out chroma neighbours inline: `neighbours` per pixel returns a tuple, and
 * made that path 1.8× slower in a micro-benchmark (5.2–5.5 ms against 2.8–3.0 for a 256² crop).
 */
function clampTo(value: number, last: number) {
  return value < 0 ? 0 : value > last ? last : value
}

/**
 * `sampleRgb` for a map without rotation (the pose detector's windows, every keyframe): each
 * output column reads the same source columns on every row, and each row the same source rows,
 * so the bilinear neighbours and weights are worked out once per axis rather than per sample.
 * Same samples, same sums, in the same order: the result is the general path's to the bit.
 */
function sampleUpright(
  p: Planes,
  map: Affine,
  size: number,
  taps: number,
  low: number,
  k: number,
  out: Float32Array
) {
  const step = 1 / taps
  const weight = 1 / (taps * taps)
  const columns = axisSamples(map.a, map.c, size, taps, step, p.width, p.chromaWidth)
  const rows = axisSamples(map.e, map.f, size, taps, step, p.height, p.chromaHeight)
  const { y: luma, u: cbPlane, v: crPlane, width, chromaWidth } = p
  let o = 0
  for (let oy = 0; oy < size; oy++) {
    if (rows.outside[oy]) {
      out.fill(low, o, o + size * 3)
      o += size * 3
      continue
    }
    const cr0 = rows.chroma0[oy] * chromaWidth
    const cr1 = rows.chroma1[oy] * chromaWidth
    const cfy = rows.chromaFraction[oy]
    for (let ox = 0; ox < size; ox++) {
      if (columns.outside[ox]) {
        out[o++] = low
        out[o++] = low
        out[o++] = low
        continue
      }
      let sum = 0
      for (let ty = 0; ty < taps; ty++) {
        const t = oy * taps + ty
        const r0 = rows.luma0[t] * width
        const r1 = rows.luma1[t] * width
        const fy = rows.lumaFraction[t]
        for (let tx = 0; tx < taps; tx++) {
          const s = ox * taps + tx
          sum += lerp2(
            luma,
            r0,
            r1,
            columns.luma0[s],
            columns.luma1[s],
            columns.lumaFraction[s],
            fy
          )
        }
      }
      const c0 = columns.chroma0[ox]
      const c1 = columns.chroma1[ox]
      const cfx = columns.chromaFraction[ox]
      const cb = lerp2(cbPlane, cr0, cr1, c0, c1, cfx, cfy) - 128
      const cr = lerp2(crPlane, cr0, cr1, c0, c1, cfx, cfy) - 128
      writeRgb(out, o, sum * weight, cb, cr, low, k)
      o += 3
    }
  }
  return out
}

/** Bilinear neighbours and weights along one axis (as `bilinear` clamps and picks them). */
function axisSamples(
  scale: number,
  offset: number,
  size: number,
  taps: number,
  step: number,
  length: number,
  chromaLength: number
) {
  const luma0 = new Int32Array(size * taps)
  const luma1 = new Int32Array(size * taps)
  const lumaFraction = new Float64Array(size * taps)
  const chroma0 = new Int32Array(size)
  const chroma1 = new Int32Array(size)
  const chromaFraction = new Float64Array(size)
  const outside = new Uint8Array(size)
  for (let o = 0; o < size; o++) {
    const centre = scale * (o + 0.5) + offset
    outside[o] = centre < 0 || centre >= length ? 1 : 0
    ;[chroma0[o], chroma1[o], chromaFraction[o]] = neighbours(centre / 2 - 0.5, chromaLength)
    for (let t = 0; t < taps; t++) {
      ;[luma0[o * taps + t], luma1[o * taps + t], lumaFraction[o * taps + t]] = neighbours(
        scale * (o + (t + 0.5) * step) + offset - 0.5,
        length
      )
    }
  }
  return { luma0, luma1, lumaFraction, chroma0, chroma1, chromaFraction, outside }
}

/** One pixel at `o`: BT.709 limited range to RGB, each channel scaled from 0–255 to [low, low + 255k]. */
function writeRgb(
  out: Float32Array,
  o: number,
  luma: number,
  cb: number,
  cr: number,
  low: number,
  k: number
) {
  const l = 1.164384 * (luma - 16)
  out[o] = low + clamp255(l + 1.792741 * cr) * k
  out[o + 1] = low + clamp255(l - 0.213249 * cb - 0.532909 * cr) * k
  out[o + 2] = low + clamp255(l + 2.112402 * cb) * k
}

function lerp2(
  plane: Buffer,
  r0: number,
  r1: number,
  x0: number,
  x1: number,
  fx: number,
  fy: number
) {
  const top = plane[r0 + x0] + (plane[r0 + x1] - plane[r0 + x0]) * fx
  const bottom = plane[r1 + x0] + (plane[r1 + x1] - plane[r1 + x0]) * fx
  return top + (bottom - top) * fy
}

function bilinear(plane: Buffer, width: number, height: number, x: number, y: number) {
  const cx = x < 0 ? 0 : x > width - 1 ? width - 1 : x
  const cy = y < 0 ? 0 : y > height - 1 ? height - 1 : y
  const x0 = Math.floor(cx)
  const y0 = Math.floor(cy)
  const x1 = x0 + 1 < width ? x0 + 1 : x0
  const y1 = y0 + 1 < height ? y0 + 1 : y0
  const fx = cx - x0
  const fy = cy - y0
  const r0 = y0 * width
  const r1 = y1 * width
  const top = plane[r0 + x0] + (plane[r0 + x1] - plane[r0 + x0]) * fx
  const bottom = plane[r1 + x0] + (plane[r1 + x1] - plane[r1 + x0]) * fx
  return top + (bottom - top) * fy
}

function clamp255(value: number) {
  return value < 0 ? 0 : value > 255 ? 255 : value
}
