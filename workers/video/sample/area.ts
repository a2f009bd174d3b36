/**
 * A region of an I420 frame scaled into a square float input by box means (each input pixel the
 * mean of the frame pixels it covers), letterboxed: the face and body detectors' inputs. See
 * ./crop.ts for the other samplers.
 */
import type { Frame } from '../../pipeline/types.js'
import { planes, type Rect } from '../yuv.js'

/** Where a region lands in a square input: scaled by `scale`, its corner at (offsetX, offsetY). */
export interface AreaPlacement {
  region: Rect
  scale: number
  offsetX: number
  offsetY: number
}

/**
 * The region scaled into a `size`² NHWC float input in [−1, 1], padded with black as MediaPipe
 * does. Each input pixel is the mean of the frame pixels it covers: tiles shrink 1.5–7×, and
 * point or bilinear sampling at that ratio aliases small faces into noise the model no longer
 * recognises. Averaging the planes before converting to RGB is also ~10× cheaper than
 * `toRgb` at a supersampled size (it reads each frame pixel once).
 */
export function letterbox(
  frame: Pick<Frame, 'width' | 'height' | 'data'>,
  placement: AreaPlacement,
  size: number
): Float32Array {
  const input = new Float32Array(size * size * 3).fill(-1)
  const { region, scale } = placement
  const width = Math.min(size, Math.round(region.width * scale))
  const height = Math.min(size, Math.round(region.height * scale))
  const p = planes(frame)
  const ox = Math.floor(placement.offsetX)
  const oy = Math.floor(placement.offsetY)
  const luma = boxMeans(
    p.y,
    p.width,
    region.x,
    region.y,
    region.width,
    region.height,
    width,
    height
  )
  const cx = region.x / 2
  const cy = region.y / 2
  const cw = Math.min(p.chromaWidth - cx, region.width / 2)
  const ch = Math.min(p.chromaHeight - cy, region.height / 2)
  const u = boxMeans(p.u, p.chromaWidth, cx, cy, cw, ch, width, height)
  const v = boxMeans(p.v, p.chromaWidth, cx, cy, cw, ch, width, height)
  const lumaRows = luma.sameAsAbove
  const chromaRows = u.sameAsAbove
  const [ys, us, vs] = [luma.values, u.values, v.values]
  // Columns repeat only where the luma is enlarged (chroma always is, twice over): elsewhere
  // looking for repeats costs more than it saves.
  const repeats = width >= 2 * region.width
  for (let row = 0; row < height; row++) {
    let o = ((oy + row) * size + ox) * 3
    // An enlarged region repeats rows: one that reads the same source rows as the row above
    // is that row again (the small crops a keyframe looks at again are mostly such rows).
    if (lumaRows[row] && chromaRows[row]) {
      input.copyWithin(o, o - size * 3, o - size * 3 + width * 3)
      continue
    }
    let i = row * width
    let r = 0
    let g = 0
    let b = 0
    for (let col = 0; col < width; col++, i++) {
      // BT.709 limited range to full-range RGB (as ../yuv.ts), then to [−1, 1]; a
      // pixel equal to its left neighbour (an enlarged column) takes its values.
      if (
        !repeats ||
        col === 0 ||
        ys[i] !== ys[i - 1] ||
        us[i] !== us[i - 1] ||
        vs[i] !== vs[i - 1]
      ) {
        const l = 1.164384 * (ys[i] - 16)
        const cb = us[i] - 128
        const cr = vs[i] - 128
        r = clampUnit(l + 1.792741 * cr)
        g = clampUnit(l - 0.213249 * cb - 0.532909 * cr)
        b = clampUnit(l + 2.112402 * cb)
      }
      input[o++] = r
      input[o++] = g
      input[o++] = b
    }
  }
  return input
}

function clampUnit(rgb: number) {
  const value = rgb / 127.5 - 1
  return value < -1 ? -1 : value > 1 ? 1 : value
}

/**
 * Means of the `outW × outH` boxes that tile the source rectangle (whole source samples, each
 * box at least one). `sameAsAbove[r]` is 1 where row r's boxes span the same source rows as
 * row r − 1's (an enlargement): its values are that row's, copied.
 */
function boxMeans(
  plane: Buffer,
  stride: number,
  x: number,
  y: number,
  width: number,
  height: number,
  outW: number,
  outH: number
): { values: Float32Array; sameAsAbove: Uint8Array } {
  const out = new Float32Array(outW * outH)
  const sameAsAbove = new Uint8Array(outH)
  // When the output is larger than the source (chroma, small tiles) boxes shrink to one sample.
  const colStart = new Int32Array(outW)
  const colEnd = new Int32Array(outW)
  for (let c = 0; c < outW; c++) {
    colStart[c] = Math.min(stride - 1, Math.floor(x + (c * width) / outW))
    colEnd[c] = Math.min(
      stride,
      Math.max(colStart[c] + 1, Math.floor(x + ((c + 1) * width) / outW))
    )
  }
  const rows = Math.floor(plane.length / stride)
  const sums = new Float64Array(outW)
  // Enlarging (chroma at most tile sizes): every box is one sample, read straight.
  const single = colEnd.every((end, c) => end - colStart[c] === 1)
  let previous0 = -1
  let previous1 = -1
  for (let r = 0; r < outH; r++) {
    const y0 = Math.min(rows - 1, Math.floor(y + (r * height) / outH))
    const y1 = Math.min(rows, Math.max(y0 + 1, Math.floor(y + ((r + 1) * height) / outH)))
    if (y0 === previous0 && y1 === previous1) {
      sameAsAbove[r] = 1
      out.copyWithin(r * outW, (r - 1) * outW, r * outW)
      continue
    }
    previous0 = y0
    previous1 = y1
    if (single && y1 - y0 === 1) {
      const line = y0 * stride
      for (let c = 0; c < outW; c++) out[r * outW + c] = plane[line + colStart[c]]
      continue
    }
    sums.fill(0)
    for (let sy = y0; sy < y1; sy++) {
      const line = sy * stride
      for (let c = 0; c < outW; c++) {
        const end = colEnd[c]
        let sum = 0
        for (let sx = colStart[c]; sx < end; sx++) sum += plane[line + sx]
        sums[c] += sum
      }
    }
    for (let c = 0; c < outW; c++)
      out[r * outW + c] = sums[c] / ((y1 - y0) * (colEnd[c] - colStart[c]))
  }
  return { values: out, sameAsAbove }
}
