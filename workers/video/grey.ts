/**
 * A run of frames of a standardized video (our own `video.mp4`) as small grey images, for
 * following a box through them (workers/vision/anonymize/region_track.ts): ffmpeg seeks to the first
 * one, scales and drops the colour, and Node keeps only the bytes.
 */
import { FfmpegProcess, stderrTail } from './ffmpeg.js'
import { inputArgs } from './container.js'
import type { GreyFrame } from '../vision/anonymize/region_track.js'
import { PipelineError } from '../pipeline/types.js'
import type { ChildOptions } from './frames.js'

export interface GreyRange {
  /** First and last output frame, included. */
  first: number
  last: number
  /** The video's constant rate (the pipeline's output rate). */
  fps: number
  /** The size frames are decoded at (even numbers: the scaler wants them). */
  width: number
  height: number
}

/** Decodes output frames `first`–`last` of `videoPath`; fewer when the video ends sooner. */
export async function readGreyFrames(
  videoPath: string,
  range: GreyRange,
  options: ChildOptions = {}
): Promise<GreyFrame[]> {
  const { width, height } = range
  const count = range.last - range.first + 1
  // Half a frame before the first: frame k is shown from k / fps, and an exact seek to a time
  // printed a hair late would start one frame after it.
  const at = Math.max(0, (range.first - 0.5) / range.fps)
  const args = [
    '-v',
    'error',
    '-ss',
    at.toFixed(4),
    ...inputArgs('mp4'),
    '-i',
    videoPath,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
  ]
  args.push(
    '-vf',
    `scale=${width}:${height}:flags=area,format=gray`,
    '-frames:v',
    String(count),
    '-f',
    'rawvideo',
    'pipe:1'
  )
  const ffmpeg = new FfmpegProcess(args, {
    ...options,
    niceness: options.niceness ?? 10,
    stdout: 'pipe',
  })
  const size = width * height
  const frames: GreyFrame[] = []
  let pending: Buffer = Buffer.alloc(0)
  try {
    for await (const chunk of ffmpeg.child.stdout! as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
      while (pending.length >= size) {
        frames.push({ width, height, data: new Uint8Array(pending.subarray(0, size)) })
        pending = pending.subarray(size)
      }
    }
    const exit = await ffmpeg.exited
    if (exit.code !== 0) {
      throw new PipelineError(
        'E_DECODE_FAILED',
        'standardize',
        'The anonymized video could not be read to follow the box.',
        stderrTail(exit.stderr)
      )
    }
    return frames
  } finally {
    ffmpeg.kill()
  }
}
