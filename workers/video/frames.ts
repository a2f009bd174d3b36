/**
 * One decode and one encode around the frame processors: ffmpeg decodes to raw YUV 4:2:0 frames
 * (`yuv420p`, BT.709 limited range: what the encoder writes, so no colour conversion on either
 * side; see ./yuv.ts) at the output geometry on its stdout, Node hands each frame to the processors, and a second
 * ffmpeg encodes the frames it reads from stdin (./frame_encoder.ts). Node only moves buffers;
 * pipes carry the backpressure, so memory stays at a few frames whatever the clip's length.
 * This file is the decoding side: the frames' geometry and size, and the reader.
 */
import { FfmpegProcess, formatTimestamp, stderrTail } from './ffmpeg.js'
import { inputArgs, type ContainerKind } from './container.js'
import { PipelineError, type Frame } from '../pipeline/types.js'
import { yuv420pBytes } from './yuv.js'
import { DecodeRate } from './decode_rate.js'
import { decodeFilter, type SourceColour } from './filters.js'
import { readAhead } from './read_ahead.js'

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
    options: ChildOptions & {
      sourceFps?: number
      colour?: SourceColour
      container?: ContainerKind
      maxFrames?: number
    } = {}
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
    const args = [
      '-v',
      'error',
      ...inputArgs(this.#container),
      '-i',
      this.#input,
      '-map',
      '0:v:0',
      '-an',
      '-sn',
      '-dn',
    ]
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
            yield {
              index,
              timeMs: rate.timeMs(index),
              width,
              height,
              format: 'yuv420p',
              data: frame,
            }
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
      // Waited for, so that a stopped or failed read leaves no decoder running behind it.
      ffmpeg.kill()
      await ffmpeg.exited
    }
  }
}

/**
 * Frames decoded ahead of the one being processed. The processors (on the vision thread) leave
 * this thread idle; without a queue, ffmpeg could only fill the pipe's 64 KiB meanwhile and
 * would decode each frame after the previous one was done with. A frame is 1.4 MB at 720p.
 */
const READ_AHEAD = 3

export function aborted(step: 'standardize' | 'thumbnail' | 'preview' | 'probe' | 'metadata') {
  return new PipelineError('E_ABORTED', step, 'Processing was stopped.')
}
