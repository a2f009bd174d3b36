/**
 * Model inputs straight from the I420 planes through an affine map, so the pose models can
 * take rotated, scaled and letterboxed crops without an intermediate RGB frame (only the
 * sampled pixels are converted).
 */
import type { Frame } from '../../pipeline/types.js'
import { planes } from '../../video/yuv.js'

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
  const last = [p.width, p.height]
  let o = 0
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      // Chroma is half resolution already: one sample at the pixel centre is enough for it.
      const u = ox + 0.5
      const v = oy + 0.5
      const x = map.a * u + map.b * v + map.c
      const y = map.d * u + map.e * v + map.f
      if (x < 0 || y < 0 || x >= last[0] || y >= last[1]) {
        out[o++] = low
        out[o++] = low
        out[o++] = low
        continue
      }
      let luma = 0
      for (let ty = 0; ty < taps; ty++) {
        const tv = oy + (ty + 0.5) * step
        for (let tx = 0; tx < taps; tx++) {
          const tu = ox + (tx + 0.5) * step
          luma += bilinear(p.y, p.width, p.height, map.a * tu + map.b * tv + map.c - 0.5, map.d * tu + map.e * tv + map.f - 0.5)
        }
      }
      // Chroma samples sit at the centres of their 2×2 blocks.
      const cb = bilinear(p.u, p.chromaWidth, p.chromaHeight, x / 2 - 0.5, y / 2 - 0.5) - 128
      const cr = bilinear(p.v, p.chromaWidth, p.chromaHeight, x / 2 - 0.5, y / 2 - 0.5) - 128
      const l = 1.164384 * (luma * weight - 16)
      out[o++] = low + clamp255(l + 1.792741 * cr) * k
      out[o++] = low + clamp255(l - 0.213249 * cb - 0.532909 * cr) * k
      out[o++] = low + clamp255(l + 2.112402 * cb) * k
    }
  }
  return out
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
