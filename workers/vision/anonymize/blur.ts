/**
 * Blurs regions of a frame in place, on its I420 planes (no RGB round trip): Y at full
 * resolution, U and V at half. Every mode reduces a region to a handful of samples first, so no
 * detail of the original survives whatever the mode: a plain gaussian of modest radius leaves
 * enough low-frequency structure for a face to be recognised (and re-detected), this does not.
 */
import type { Frame } from '../../pipeline/types.js'
import { planes, rgbToYuv } from '../../video/yuv.js'
import type { Box } from '../types.js'

export type BlurMode = 'gaussian' | 'pixelate' | 'solid'

export interface BlurRegion extends Box {
  shape: 'ellipse' | 'rect'
}

/** Samples across the longer side for `gaussian` before smoothing back up (at 6, BlazeFace still finds the face). */
const GAUSSIAN_CELLS = 4
/** Blocks across the longer side for `pixelate`: at 8 a face detector still finds the face in them. */
const PIXELATE_CELLS = 6
/** Width of an ellipse's soft edge, in luma pixels, inside the ellipse. */
const FEATHER = 2
const SOLID = rgbToYuv(72, 72, 72)

export function blurRegions(frame: Frame, regions: BlurRegion[], mode: BlurMode): void {
  const p = planes(frame)
  for (const region of regions) {
    const x0 = Math.max(0, Math.floor(region.x))
    const y0 = Math.max(0, Math.floor(region.y))
    const x1 = Math.min(p.width, Math.ceil(region.x + region.width))
    const y1 = Math.min(p.height, Math.ceil(region.y + region.height))
    if (x1 <= x0 || y1 <= y0 || !(region.width > 0 && region.height > 0)) continue
    const mask = maskFor(region)
    // Cells are square and sized on the whole region (not its clipped part), so a face half out
    // of the frame is blurred as coarsely as a whole one.
    const cell =
      Math.max(region.width, region.height) /
      (mode === 'pixelate' ? PIXELATE_CELLS : GAUSSIAN_CELLS)
    const luma = { plane: p.y, stride: p.width, scale: 1 }
    const chromaArea = [
      x0 >> 1,
      y0 >> 1,
      Math.min(p.chromaWidth, (x1 + 1) >> 1),
      Math.min(p.chromaHeight, (y1 + 1) >> 1),
    ] as const
    const targets = [
      { ...luma, area: [x0, y0, x1, y1] as const, fill: SOLID.y },
      { plane: p.u, stride: p.chromaWidth, scale: 2, area: chromaArea, fill: SOLID.u },
      { plane: p.v, stride: p.chromaWidth, scale: 2, area: chromaArea, fill: SOLID.v },
    ]
    for (const target of targets) {
      const cellSize = Math.max(1, cell / target.scale)
      const grid =
        mode === 'solid' ? null : cellMeans(target.plane, target.stride, target.area, cellSize)
      if (grid && mode === 'gaussian') smooth(grid)
      render(
        target.plane,
        target.stride,
        target.area,
        target.scale,
        mask,
        grid,
        cellSize,
        mode,
        target.fill
      )
    }
  }
}

/** An ellipse inscribed in the region (or the whole rectangle), in luma pixel coordinates. */
interface Mask {
  ellipse: boolean
  cx: number
  cy: number
  rx: number
  ry: number
  /** 1 − r² grows by about 2·d/radius at d pixels inside the edge: this turns it into 0–1 coverage. */
  gain: number
}

function maskFor(region: BlurRegion): Mask {
  const rx = region.width / 2
  const ry = region.height / 2
  const feather = Math.max(0.5, Math.min(FEATHER, rx / 2, ry / 2))
  return {
    ellipse: region.shape === 'ellipse',
    cx: region.x + rx,
    cy: region.y + ry,
    rx,
    ry,
    gain: Math.min(rx, ry) / (2 * feather),
  }
}

interface Grid {
  values: Float64Array
  cols: number
  rows: number
}

/** Mean of each `cellSize`² block of the area (the last row and column of blocks may be partial). */
function cellMeans(
  plane: Buffer,
  stride: number,
  area: readonly [number, number, number, number],
  cellSize: number
): Grid {
  const [x0, y0, x1, y1] = area
  // Counted from the last pixel's cell: ceil(length / size) can add a cell no pixel falls in.
  const cols = Math.floor((x1 - x0 - 1) / cellSize) + 1
  const rows = Math.floor((y1 - y0 - 1) / cellSize) + 1
  const sums = new Float64Array(cols * rows)
  // Each cell column is a run of pixel columns: [colStart[c], colStart[c + 1]).
  const colStart = new Int32Array(cols + 1)
  for (let x = x1 - 1; x >= x0; x--)
    colStart[Math.min(cols - 1, Math.floor((x - x0) / cellSize))] = x
  colStart[cols] = x1
  const rowCount = new Float64Array(rows)
  for (let y = y0; y < y1; y++) {
    const row = Math.min(rows - 1, Math.floor((y - y0) / cellSize))
    const rowBase = row * cols
    const line = y * stride
    rowCount[row]++
    for (let c = 0; c < cols; c++) {
      // Whole numbers: the sums are exact in any order.
      let sum = 0
      for (let x = colStart[c], end = colStart[c + 1]; x < end; x++) sum += plane[line + x]
      sums[rowBase + c] += sum
    }
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++)
      sums[r * cols + c] /= rowCount[r] * (colStart[c + 1] - colStart[c]) || 1
  }
  return { values: sums, cols, rows }
}

/** A [1 2 1] pass each way over the cells, so even the coarse samples lose their sharpest contrast. */
function smooth(grid: Grid) {
  const { values, cols, rows } = grid
  const copy = new Float64Array(values)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const left = copy[r * cols + Math.max(c - 1, 0)]
      const right = copy[r * cols + Math.min(c + 1, cols - 1)]
      values[r * cols + c] = (left + 2 * copy[r * cols + c] + right) / 4
    }
  }
  copy.set(values)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const up = copy[Math.max(r - 1, 0) * cols + c]
      const down = copy[Math.min(r + 1, rows - 1) * cols + c]
      values[r * cols + c] = (up + 2 * copy[r * cols + c] + down) / 4
    }
  }
}

/**
 * Writes the blurred value of every pixel in the area, blended with the original by the mask
 * (sampled at pixel centres). Column lookups are tabulated once per region: this runs per pixel.
 */
function render(
  plane: Buffer,
  stride: number,
  area: readonly [number, number, number, number],
  scale: number,
  mask: Mask,
  grid: Grid | null,
  cellSize: number,
  mode: BlurMode,
  fill: number
) {
  const [x0, y0, x1, y1] = area
  const width = x1 - x0
  const cols = grid?.cols ?? 1
  const rows = grid?.rows ?? 1
  const values = grid?.values
  // Per column: the cell (pixelate) or the two cells and weight (gaussian's bilinear), and the
  // ellipse's squared horizontal term.
  const c0 = new Int32Array(width)
  const c1 = new Int32Array(width)
  const fx = new Float64Array(width)
  const nx2 = new Float64Array(width)
  for (let i = 0; i < width; i++) {
    const x = x0 + i
    if (mode === 'pixelate') {
      c0[i] = Math.min(cols - 1, Math.floor(i / cellSize))
    } else {
      const g = Math.min(Math.max((i + 0.5) / cellSize - 0.5, 0), cols - 1)
      c0[i] = Math.floor(g)
      c1[i] = Math.min(c0[i] + 1, cols - 1)
      fx[i] = g - c0[i]
    }
    const nx = ((x + 0.5) * scale - mask.cx) / mask.rx
    nx2[i] = nx * nx
  }
  for (let y = y0; y < y1; y++) {
    const ny = ((y + 0.5) * scale - mask.cy) / mask.ry
    const rowRest = 1 - ny * ny
    if (mask.ellipse && rowRest <= 0) continue
    let top = 0
    let bottom = 0
    let fy = 0
    if (mode === 'pixelate') {
      top = Math.min(rows - 1, Math.floor((y - y0) / cellSize)) * cols
    } else if (mode === 'gaussian') {
      const g = Math.min(Math.max((y - y0 + 0.5) / cellSize - 0.5, 0), rows - 1)
      const r0 = Math.floor(g)
      top = r0 * cols
      bottom = Math.min(r0 + 1, rows - 1) * cols
      fy = g - r0
    }
    const line = y * stride
    for (let i = 0; i < width; i++) {
      let alpha = 1
      if (mask.ellipse) {
        const rest = rowRest - nx2[i]
        if (rest <= 0) continue
        alpha = rest * mask.gain
      }
      let value: number
      if (mode === 'solid') {
        value = fill
      } else if (mode === 'pixelate') {
        value = values![top + c0[i]]
      } else {
        const a = c0[i]
        const b = c1[i]
        const f = fx[i]
        const upper = values![top + a] + (values![top + b] - values![top + a]) * f
        const lower = values![bottom + a] + (values![bottom + b] - values![bottom + a]) * f
        value = upper + (lower - upper) * fy
      }
      const p = line + x0 + i
      plane[p] = alpha >= 1 ? value + 0.5 : alpha * value + (1 - alpha) * plane[p] + 0.5
    }
  }
}
