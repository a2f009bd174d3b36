/**
 * One decode and one encode around the frame processors: ffmpeg decodes to raw RGB24 frames at
 * the output geometry on its stdout, Node hands each frame to the processors, and a second
 * ffmpeg encodes the frames it reads from stdin. Node only moves buffers; pipes carry the
 * backpressure, so memory stays at a few frames whatever the clip's length.
 */
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { FfmpegProcess, formatTimestamp, stderrTail } from './ffmpeg.js'
import { PipelineError, type Frame } from '../pipeline/types.js'

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
 */
export function geometryFilter(target: Geometry, sourceFps?: number) {
  const { width: w, height: h, fps } = target
  const box = `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1`
  return sourceFps && sourceFps < fps ? `${box},fps=${fps}` : `fps=${fps},${box}`
}

export function frameBytes(geometry: Geometry) {
  return geometry.width * geometry.height * 3
}

/**
 * Decodes `input` to RGB24 frames of exactly `width × height × 3` bytes. Iterate it once; the
 * child pauses while the consumer works on a frame, and is killed if the consumer stops early.
 */
export class FrameReader implements AsyncIterable<Frame> {
  /** Frames yielded so far; after a failure, where the stream broke. */
  framesRead = 0
  #input: string
  #geometry: Geometry
  #sourceFps?: number
  #options: ChildOptions

  constructor(input: string, geometry: Geometry, options: ChildOptions & { sourceFps?: number } = {}) {
    this.#input = input
    this.#geometry = geometry
    this.#sourceFps = options.sourceFps
    this.#options = options
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Frame> {
    const { width, height, fps } = this.#geometry
    const size = frameBytes(this.#geometry)
    const args = ['-v', 'error', '-i', this.#input, '-map', '0:v:0', '-an', '-sn', '-dn']
    args.push('-vf', `${geometryFilter(this.#geometry, this.#sourceFps)},format=rgb24`)
    args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1')
    const ffmpeg = new FfmpegProcess(args, { ...this.#options, stdout: 'pipe' })
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
            yield { index, timeMs: Math.round((index * 1000) / fps), width, height, data: frame }
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
          `The video stream is corrupt at ${formatTimestamp(this.framesRead / fps)}.`,
          stderrTail(exit.stderr)
        )
      }
    } finally {
      ffmpeg.kill()
    }
  }
}

export interface EncoderOptions extends ChildOptions, Geometry {
  /** Keyframe interval in frames. */
  gop: number
  /** The original file, whose first audio stream is re-encoded to AAC; absent → no audio. */
  audioFrom?: string
}

/**
 * Encodes RGB24 frames written to it into an H.264 MP4 with no metadata a person could be
 * traced by: container and stream tags, chapters, and the encoder's version string are dropped.
 */
export class FrameEncoder {
  framesWritten = 0
  #ffmpeg: FfmpegProcess
  #stdin: Writable
  #size: number

  constructor(output: string, options: EncoderOptions) {
    const { width, height, fps, gop } = options
    const args = ['-v', 'error', '-y']
    args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0')
    if (options.audioFrom) {
      args.push('-i', options.audioFrom, '-map', '0:v', '-map', '1:a:0?', '-c:a', 'aac', '-b:a', '128k')
    } else {
      args.push('-map', '0:v', '-an')
    }
    // HD is BT.709; without saying so swscale would convert with BT.601 and shift colours. The
    // frames are already at size, so only chroma is resampled: fast_bilinear costs no visible
    // quality there and makes the RGB→YUV step about a fifth cheaper (bench/pipeline.ts).
    args.push('-vf', 'scale=out_color_matrix=bt709:out_range=tv:flags=fast_bilinear,format=yuv420p')
    args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p')
    args.push('-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv')
    args.push('-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0')
    args.push('-r', String(fps), '-fps_mode', 'cfr')
    args.push(...STRIP_METADATA, '-movflags', '+faststart', '-f', 'mp4', output)
    this.#ffmpeg = new FfmpegProcess(args, { ...options, stdin: 'pipe' })
    this.#stdin = this.#ffmpeg.child.stdin!
    // EPIPE when ffmpeg dies early: its exit status says why, reported by write()/finish().
    this.#stdin.on('error', () => {})
    this.#size = width * height * 3
  }

  /** Queues one frame; resolves when the pipe can take more (ffmpeg's pace, not ours). */
  async write(data: Buffer) {
    if (data.length !== this.#size) {
      throw new PipelineError('E_PROCESSOR_FAILED', 'standardize', 'A frame processor changed the frame size.')
    }
    this.framesWritten++
    if (this.#stdin.write(data)) return
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
