/**
 * One decode and one encode around the frame processors: ffmpeg decodes to raw YUV 4:2:0 frames
 * (`yuv420p`, BT.709 limited range: what the encoder writes, so no colour conversion on either
 * side; see ./yuv.ts) at the output geometry on its stdout, Node hands each frame to the processors, and a second
 * ffmpeg encodes the frames it reads from stdin. Node only moves buffers; pipes carry the
 * backpressure, so memory stays at a few frames whatever the clip's length.
 */
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { FfmpegProcess, formatTimestamp, stderrTail } from './ffmpeg.js'
import { inputArgs, type ContainerKind } from './container.js'
import { PipelineError, type Frame } from '../pipeline/types.js'
import { yuv420pBytes } from './yuv.js'

export interface Geometry {
  width: number
  height: number
  fps: number
}

export interface ChildOptions {
  ffmpegPath?: string
  niceness?: number
  signal?: AbortSignal
}

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

/**
 * The rate frames are decoded at and handed to the processors: the source's own rate, capped at
 * the output rate. A 5 fps clip is decoded, piped and processed 5 times a second, not 30: the
 * encoder duplicates frames up to the output rate.
 * The source rate is the probed average (3 decimals), so a variable-rate source is evened out
 * to it while decoding.
 */
export class DecodeRate {
  /** Decoded frames per second as the fraction `num/den`. */
  readonly num: number
  readonly den: number
  /** The output rate (as a fraction) the encoder duplicates up to. */
  readonly output: { num: number; den: number }

  constructor(sourceFps: number | undefined, outputFps: number) {
    this.output = fraction(outputFps)
    const source = sourceFps && Number.isFinite(sourceFps) && sourceFps > 0 ? fraction(sourceFps) : this.output
    // Capped at the output rate: a faster source is thinned while decoding, as before.
    const rate = source.num * this.output.den >= this.output.num * source.den ? this.output : source
    this.num = rate.num
    this.den = rate.den
  }

  get fps() {
    return this.num / this.den
  }

  /** True when the encoder must duplicate frames up to the output rate. */
  get duplicates() {
    return this.num * this.output.den !== this.output.num * this.den
  }

  /** For ffmpeg's `-r` and the fps filter. */
  toString() {
    return this.den === 1 ? String(this.num) : `${this.num}/${this.den}`
  }

  /** When decoded frame `index` is shown, in milliseconds from the start. */
  timeMs(index: number) {
    return Math.round((index * 1000 * this.den) / this.num)
  }

  /**
   * The first output frame showing decoded frame `index`; for `index` = the number of decoded
   * frames, the number of output frames. ffmpeg's fps filter puts each frame at its timestamp in
   * output frames rounded to the nearest (halves up) and repeats it until the next one; the end
   * of the stream counts as one more frame (checked against ffmpeg for 1–29.97 fps sources).
   */
  outputIndex(index: number) {
    const scale = this.output.num * this.den
    const unit = this.output.den * this.num
    return Math.floor((2 * index * scale + unit) / (2 * unit))
  }
}

/** A rate to 3 decimals as a reduced fraction (what ffmpeg makes of "29.97" too). */
function fraction(fps: number) {
  const num = Math.max(1, Math.round(fps * 1000))
  const divisor = gcd(num, 1000)
  return { num: num / divisor, den: 1000 / divisor }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
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
  if (space === null || BT601.has(space)) return `:in_color_matrix=bt601:out_color_matrix=bt709${range}`
  return `:out_color_matrix=bt709${range}`
}

/**
 * The decoder's filter chain: to the decode rate, into the output box, then planar YUV 4:2:0 in
 * BT.709 limited range (a full-range `yuvj420p` phone clip is brought to tv range while scaling).
 */
export function decodeFilter(target: Geometry, rate: DecodeRate, source?: SourceColour) {
  return `fps=${rate},${boxFilter(target.width, target.height, colourOptions(source))},format=yuv420p`
}

/** Bytes of one frame between decoder and encoder (`yuv420p`: `width × height × 3 / 2`). */
export function frameBytes(geometry: Pick<Geometry, 'width' | 'height'>) {
  return yuv420pBytes(geometry.width, geometry.height)
}

/**
 * Decodes `input` to `yuv420p` frames of exactly `frameBytes(geometry)` bytes, at `rate` (the source's
 * rate capped at `geometry.fps`). Iterate it once; the child pauses while the consumer works on
 * a frame, and is killed if the consumer stops early. A frame's index and time are the decoded
 * frame's, not the output frame's (see `Frame`).
 */
export class FrameReader implements AsyncIterable<Frame> {
  /** Frames yielded so far; after a failure, where the stream broke. */
  framesRead = 0
  readonly rate: DecodeRate
  #input: string
  #geometry: Geometry
  #options: ChildOptions

  #colour?: SourceColour
  #container: ContainerKind

  #maxFrames?: number

  /**
   * `container` is what the file's magic bytes are: ffmpeg reads it with that demuxer only.
   * `maxFrames`: the decoder stops after that many frames (`-frames:v`), whatever the stream holds.
   */
  constructor(
    input: string,
    geometry: Geometry,
    options: ChildOptions & { sourceFps?: number; colour?: SourceColour; container?: ContainerKind; maxFrames?: number } = {}
  ) {
    this.#maxFrames = options.maxFrames
    this.#input = input
    this.#container = options.container ?? 'mp4'
    this.#colour = options.colour
    this.#geometry = geometry
    this.rate = new DecodeRate(options.sourceFps, geometry.fps)
    this.#options = options
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    const decoder: { kill?: () => void } = {}
    return readAhead(this.#frames(decoder), READ_AHEAD, () => decoder.kill?.())
  }

  async *#frames(decoder: { kill?: () => void }): AsyncGenerator<Frame> {
    const { width, height } = this.#geometry
    const rate = this.rate
    const size = frameBytes(this.#geometry)
    const args = ['-v', 'error', ...inputArgs(this.#container), '-i', this.#input, '-map', '0:v:0', '-an', '-sn', '-dn']
    args.push('-vf', decodeFilter(this.#geometry, rate, this.#colour))
    if (this.#maxFrames !== undefined) args.push('-frames:v', String(this.#maxFrames))
    args.push('-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1')
    const ffmpeg = new FfmpegProcess(args, { ...this.#options, stdout: 'pipe' })
    decoder.kill = () => ffmpeg.kill()
    let frame = Buffer.allocUnsafeSlow(size)
    let filled = 0
    try {
      for await (const chunk of ffmpeg.child.stdout! as AsyncIterable<Buffer>) {
        let offset = 0
        while (offset < chunk.length) {
          const take = Math.min(size - filled, chunk.length - offset)
          chunk.copy(frame, filled, offset, offset + take)
          filled += take
          offset += take
          if (filled === size) {
            const index = this.framesRead++
            yield { index, timeMs: rate.timeMs(index), width, height, format: 'yuv420p', data: frame }
            // A new buffer per frame: the encoder may still be writing the previous one.
            frame = Buffer.allocUnsafeSlow(size)
            filled = 0
          }
        }
      }
      const exit = await ffmpeg.exited
      if (exit.aborted) throw aborted('standardize')
      if (exit.code !== 0) {
        throw new PipelineError(
          'E_DECODE_FAILED',
          'standardize',
          `The video stream is corrupt at ${formatTimestamp(this.framesRead / rate.fps)}.`,
          stderrTail(exit.stderr)
        )
      }
    } finally {
      ffmpeg.kill()
    }
  }
}

/**
 * Frames decoded ahead of the one being processed. The processors (on the vision thread) leave
 * this thread idle; without a queue, ffmpeg could only fill the pipe's 64 KiB meanwhile and
 * would decode each frame after the previous one was done with. A frame is 1.4 MB at 720p.
 */
const READ_AHEAD = 3

/**
 * `source`'s items, up to `depth` of them asked for ahead of the consumer (while it works on
 * one, `depth - 1` more are on their way). When the consumer stops early, `stop` ends the
 * source's work (the items already asked for must settle before `source` can be returned: an
 * async generator takes requests in order). `arrived` sees each item as soon as it comes, before
 * the consumer gets to it.
 */
export async function* readAhead<T>(
  source: AsyncIterator<T>,
  depth: number,
  stop?: () => void,
  arrived?: (item: T) => void
): AsyncGenerator<T> {
  const pending: Promise<IteratorResult<T>>[] = []
  const ask = () => {
    const next = source.next()
    next.then(
      (result) => {
        if (!result.done) arrived?.(result.value)
      },
      // Awaited in order below; this only keeps a failure after an early stop from going unhandled.
      () => {}
    )
    pending.push(next)
  }
  let finished = false
  try {
    for (;;) {
      while (pending.length < depth) ask()
      const result = await pending.shift()!
      if (result.done) {
        finished = true
        return
      }
      yield result.value
    }
  } finally {
    if (!finished) stop?.()
    await Promise.allSettled(pending)
    await source.return?.()
  }
}

export interface EncoderOptions extends ChildOptions, Geometry {
  /** Keyframe interval in frames. */
  gop: number
  /** The original file, whose first audio stream is re-encoded to AAC; absent → no audio. */
  audioFrom?: string
  /** The rate frames are written at (FrameReader.rate); frames are repeated up to `fps`. Default `fps`. */
  inputRate?: DecodeRate
  /**
   * More files made from the same output frames in the same process (the catalog's thumbnail
   * and preview), so nobody decodes the standardized video again. Each is written at `path`
   * by `filter` (applied to the output-rate frames) and `args` (its codec and muxer options).
   * A tap whose filter lets no frame through (a thumbnail past the real end) writes no file.
   */
  taps?: EncoderTap[]
  /** The container of `audioFrom` (from its magic bytes), read with that demuxer only. */
  audioContainer?: ContainerKind
}

export interface EncoderTap {
  path: string
  filter: string
  args: string[]
}

/**
 * Encodes `yuv420p` frames (BT.709, limited range) written to it into an H.264 MP4 with no metadata a person could be
 * traced by: container and stream tags, chapters, and the encoder's version string are dropped.
 */
export class FrameEncoder {
  framesWritten = 0
  #ffmpeg: FfmpegProcess
  #stdin: Writable
  #size: number

  constructor(output: string, options: EncoderOptions) {
    const { width, height, fps, gop } = options
    const inputRate = options.inputRate ?? new DecodeRate(fps, fps)
    const args = ['-v', 'error', '-y']
    args.push('-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', String(inputRate), '-i', 'pipe:0')
    if (options.audioFrom) args.push(...inputArgs(options.audioContainer ?? 'mp4'), '-i', options.audioFrom)
    // The frames are already yuv420p at size, BT.709 limited range (the decoder made them so),
    // so there is nothing to convert: the encoder takes them as they are. A slower source is
    // repeated up to the output rate (the fps filter repeats a frame by reference);
    // DecodeRate.outputIndex mirrors where the repeats go.
    const taps = options.taps ?? []
    const repeat = inputRate.duplicates ? `fps=${fps},` : ''
    if (taps.length) {
      const labels = taps.map((_, index) => `[tap${index}]`)
      const graph = [`[0:v]${repeat}split=${taps.length + 1}[video]${labels.join('')}`]
      taps.forEach((tap, index) => graph.push(`${labels[index]}${tap.filter}[out${index}]`))
      args.push('-filter_complex', graph.join(';'), '-map', '[video]')
    } else {
      if (repeat) args.push('-vf', repeat.slice(0, -1))
      args.push('-map', '0:v')
    }
    if (options.audioFrom) {
      args.push('-map', '1:a:0?', '-c:a', 'aac', '-b:a', '128k')
    } else {
      args.push('-an')
    }
    args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p')
    args.push('-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv')
    args.push('-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0')
    args.push('-r', String(fps), '-fps_mode', 'cfr')
    args.push(...STRIP_METADATA, '-movflags', '+faststart', '-f', 'mp4', output)
    taps.forEach((tap, index) => args.push('-map', `[out${index}]`, ...tap.args, tap.path))
    this.#ffmpeg = new FfmpegProcess(args, { ...options, stdin: 'pipe' })
    this.#stdin = this.#ffmpeg.child.stdin!
    // EPIPE when ffmpeg dies early: its exit status says why, reported by write()/finish().
    this.#stdin.on('error', () => {})
    this.#size = frameBytes({ width, height })
  }

  /**
   * Queues one frame; resolves at once while fewer than WRITE_AHEAD frames wait for ffmpeg, else
   * when it has taken them all (ffmpeg's pace, not ours). The caller must not reuse `data`.
   */
  async write(data: Buffer) {
    if (data.length !== this.#size) {
      throw new PipelineError('E_PROCESSOR_FAILED', 'standardize', 'A frame processor changed the frame size.')
    }
    this.framesWritten++
    if (this.#stdin.write(data) || this.#stdin.writableLength < WRITE_AHEAD * this.#size) return
    const exit = await Promise.race([once(this.#stdin, 'drain').then(() => null), this.#ffmpeg.exited])
    if (exit) throw this.#failure(exit.stderr, exit.aborted)
  }

  /** Closes the input and waits for the file to be complete. */
  async finish() {
    this.#stdin.end()
    const exit = await this.#ffmpeg.exited
    if (exit.aborted) throw aborted('standardize')
    if (exit.code !== 0) throw this.#failure(exit.stderr, false)
  }

  /** Kills the encoder (the caller deletes the partial file). */
  abort() {
    this.#ffmpeg.kill()
  }

  #failure(stderr: string, wasAborted: boolean) {
    if (wasAborted) return aborted('standardize')
    return new PipelineError('E_ENCODE_FAILED', 'standardize', 'The standardized video could not be encoded.', stderrTail(stderr))
  }
}

/**
 * Frames queued for the encoder before write() waits: the next frame's processing goes on while
 * ffmpeg takes the last ones, instead of after (the pipe alone holds 64 KiB of a 1.4 MB frame).
 */
const WRITE_AHEAD = 2

/**
 * Drops every tag a creator could be traced by (GPS, device, creation time, chapters) and the
 * encoder version strings. What ffprobe still lists afterwards is structural and identical for
 * every file (brands, `language=und`, the default handler names, a generic "Lavc libx264").
 */
export const STRIP_METADATA = [
  '-map_metadata', '-1',
  '-map_chapters', '-1',
  '-fflags', '+bitexact',
  '-flags:v', '+bitexact',
  '-flags:a', '+bitexact',
]

export function aborted(step: 'standardize' | 'thumbnail' | 'preview' | 'probe' | 'metadata') {
  return new PipelineError('E_ABORTED', step, 'Processing was stopped.')
}
