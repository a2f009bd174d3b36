/**
 * The ffmpeg filter chains that bring a source to the output geometry, rate and colours: the
 * decoder's (to raw BT.709 limited-range YUV 4:2:0) and the one-process transcode's.
 */
import type { Geometry } from './frames.js'
import type { DecodeRate } from './decode_rate.js'

/**
 * Scale into the box keeping the aspect ratio, pad to the exact size, force the frame rate.
 * Rotation is not in the chain: ffmpeg applies the display matrix/rotate tag before filters.
 * The frame rate goes first when it drops frames (less to scale) and last when it duplicates.
 * (The one-process transcode of bench/pipeline.ts; the pipeline itself decodes with
 * `decodeFilter` and lets the encoder duplicate.)
 */
export function geometryFilter(target: Geometry, sourceFps?: number) {
  const { width: w, height: h, fps } = target
  const box = boxFilter(w, h)
  return sourceFps && sourceFps < fps ? `${box},fps=${fps}` : `fps=${fps},${box}`
}

function boxFilter(w: number, h: number, scaleOptions = '') {
  return `scale=${w}:${h}:force_original_aspect_ratio=decrease${scaleOptions},pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1`
}

/** What the decoder needs to know about the source's colours (from the probe). */
export interface SourceColour {
  colorSpace: string | null
  width: number
  height: number
}

/** Matrices swscale knows as BT.601 under their ffprobe names. */
const BT601 = new Set(['smpte170m', 'bt470bg', 'bt601'])

/**
 * The scaler's colour options for a source, so that every output is BT.709 limited range.
 * A stream tagged BT.709 (or an untagged HD one: players treat those as BT.709) keeps its
 * matrix and only has its range brought to tv; a BT.601 or untagged SD stream is converted,
 * as players would show it; any other tagged matrix (BT.2020…) is converted from its tag.
 * Converting costs the scaler about 2.5× more, so it is done only where colours would shift.
 */
export function colourOptions(source?: SourceColour) {
  const range = ':out_range=tv'
  if (!source) return range
  const space = source.colorSpace
  const hd = Math.min(source.width, source.height) >= 720
  if (space === 'bt709' || (space === null && hd)) return range
  if (space === null || BT601.has(space))
    return `:in_color_matrix=bt601:out_color_matrix=bt709${range}`
  return `:out_color_matrix=bt709${range}`
}

/**
 * The decoder's filter chain: to the decode rate, into the output box, then planar YUV 4:2:0 in
 * BT.709 limited range (a full-range `yuvj420p` phone clip is brought to tv range while scaling).
 */
export function decodeFilter(target: Geometry, rate: DecodeRate, source?: SourceColour) {
  return `fps=${rate},${boxFilter(target.width, target.height, colourOptions(source))},format=yuv420p`
}
