import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { FfmpegProcess, stderrTail } from './ffmpeg.js'
import { inputArgs, type ContainerKind } from './container.js'
import { PipelineError } from '../pipeline/types.js'
import { DecodeRate } from './decode_rate.js'
import { aborted, frameBytes, type ChildOptions, type Geometry } from './frames.js'

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
    args.push(
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      '-s',
      `${width}x${height}`,
      '-r',
      String(inputRate),
      '-i',
      'pipe:0'
    )
    if (options.audioFrom)
      args.push(...inputArgs(options.audioContainer ?? 'mp4'), '-i', options.audioFrom)
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
    args.push(
      '-colorspace',
      'bt709',
      '-color_primaries',
      'bt709',
      '-color_trc',
      'bt709',
      '-color_range',
      'tv'
    )
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
      throw new PipelineError(
        'E_PROCESSOR_FAILED',
        'standardize',
        'A frame processor changed the frame size.'
      )
    }
    this.framesWritten++
    if (this.#stdin.write(data) || this.#stdin.writableLength < WRITE_AHEAD * this.#size) return
    const exit = await Promise.race([
      once(this.#stdin, 'drain').then(() => null),
      this.#ffmpeg.exited,
    ])
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
  /** Stops ffmpeg and waits until it has exited: a failed step leaves no child running. */
  async abort() {
    this.#ffmpeg.kill()
    await this.#ffmpeg.exited
  }

  #failure(stderr: string, wasAborted: boolean) {
    if (wasAborted) return aborted('standardize')
    return new PipelineError(
      'E_ENCODE_FAILED',
      'standardize',
      'The standardized video could not be encoded.',
      stderrTail(stderr)
    )
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
  '-map_metadata',
  '-1',
  '-map_chapters',
  '-1',
  '-fflags',
  '+bitexact',
  '-flags:v',
  '+bitexact',
  '-flags:a',
  '+bitexact',
]
