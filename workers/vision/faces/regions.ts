/**
 * Where the face search looks: the overlapping tiles of a frame, a square crop around a face,
 * and how a region is letterboxed into a model's square input.
 */
import type { Frame } from '../../pipeline/types.js'

export interface Region {
  x: number
  y: number
  width: number
  height: number
}

/** Where a region sits in the model input after letterboxing. */
export interface Placement {
  region: Region
  scale: number
  offsetX: number
  offsetY: number
  /** Which sides of the region are inside the frame (a cut face there is seen whole by a neighbour). */
  inner: { left: boolean; top: boolean; right: boolean; bottom: boolean }
}

/** Tiles overlap by this fraction of the tile size, so a face up to that size lies whole in one. */
export const OVERLAP = 0.25
/**
 * A tile's side is at most this many frame pixels: 192 px of input over 320 px is a scale of 0.6,
 * which brings a 20 px face to the ~12 px the full-range model still finds (1280×720: 5×3 tiles).
 */
export const MAX_TILE = 320

/**
 * Overlapping tiles covering the frame, each at most `maxTile` on a side and overlapping their
 * neighbours by OVERLAP × maxTile pixels, so that every face up to that size lies whole in some
 * tile: 1280×720 at 320 gives 5×3 tiles of 320×294.
 */
export function tileGrid(width: number, height: number, maxTile = MAX_TILE): Region[] {
  const overlap = Math.round(maxTile * OVERLAP)
  const along = (length: number) => {
    // n tiles of side t overlapping by o cover n·t − (n−1)·o ≥ length, with t ≤ maxTile.
    const count = length <= maxTile ? 1 : Math.ceil((length - overlap) / (maxTile - overlap))
    const side = Math.ceil((length + (count - 1) * overlap) / count)
    return Array.from({ length: count }, (_, i) => ({
      start: Math.min(length - side, i * (side - overlap)),
      side,
    }))
  }
  const columns = along(width)
  const rows = along(height)
  if (columns.length === 1 && rows.length === 1) return []
  return rows.flatMap((row) =>
    columns.map((col) => ({ x: col.start, y: row.start, width: col.side, height: row.side }))
  )
}

/** A square of `factor` × the face's longer side around its centre, moved (not cut) to fit the frame. */
export function cropAround(face: Region, factor: number, frame: Frame): Region {
  const side = Math.min(frame.width, frame.height, Math.max(face.width, face.height) * factor)
  const x = Math.min(frame.width - side, Math.max(0, face.x + face.width / 2 - side / 2))
  const y = Math.min(frame.height - side, Math.max(0, face.y + face.height / 2 - side / 2))
  return { x, y, width: side, height: side }
}

export function place(region: Region, size: number, frame: Frame): Placement {
  const scale = size / Math.max(region.width, region.height)
  const edge = 1
  return {
    region,
    scale,
    offsetX: (size - Math.round(region.width * scale)) / 2,
    offsetY: (size - Math.round(region.height * scale)) / 2,
    inner: {
      left: region.x > edge,
      top: region.y > edge,
      right: region.x + region.width < frame.width - edge,
      bottom: region.y + region.height < frame.height - edge,
    },
  }
}
