/**
 * When a video's keyframes search what: the face tiles and SSD squares each keyframe takes in
 * turn, and the frames that read text.
 */
import type { Region } from '../faces/regions.js'

/** Face tiles run on one keyframe; the grid is spread over as many keyframes as it takes (the whole frame is searched on each). */
export const TILES_PER_KEYFRAME = 6
/**
 * Text is read on the first keyframe of every this-many frames (one person per reading): the
 * same rate whatever VISION_DETECT_EVERY is, since a player's turn comes round by readings.
 */
export const TEXT_EVERY_FRAMES = 8

/**
 * What the face search covers on the `turn`-th keyframe of a video: the first searches the
 * whole grid and every SSD square; later ones take their share of the tiles (TILES_PER_KEYFRAME),
 * and every `ssdEvery`-th one SSD square in turn (~20 ms a 512² run on two cores, as much as
 * all of a keyframe's BlazeFace runs; the tracker keeps its faces in between).
 */
export function keyframePlan(turn: number, grid: Region[], squares: Region[], ssdEvery: number) {
  if (turn === 0) return { tiles: grid, squares }
  const rounds = Math.max(1, Math.ceil(grid.length / TILES_PER_KEYFRAME))
  const ssdTurn = turn / ssdEvery
  return {
    tiles: grid.filter((_, i) => i % rounds === turn % rounds),
    squares: squares.length && Number.isInteger(ssdTurn) ? [squares[ssdTurn % squares.length]] : [],
  }
}

/**
 * Whether decoded frame `index` reads text when detectors run every `every` frames: the first
 * keyframe of each TEXT_EVERY_FRAMES frames, so readings come as often whatever `every` is.
 */
export function readsText(index: number, every: number) {
  return (
    index % every === 0 &&
    Math.floor(index / TEXT_EVERY_FRAMES) !== Math.floor((index - every) / TEXT_EVERY_FRAMES)
  )
}
