/**
 * Catalog images made from the standardized video (never the original: it is already
 * anonymized and stripped): a JPEG thumbnail and a short watermarked preview.
 */
import { existsSync } from 'node:fs'
import { FfmpegProcess, stderrTail } from '../video/ffmpeg.js'
import { STRIP_METADATA, aborted } from '../video/frames.js'
import { PipelineError } from './types.js'

/** Debian's ffmpeg depends on fonts-dejavu-core; elsewhere drawtext falls back to fontconfig. */
export const WATERMARK_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'
export const WATERMARK_TEXT = 'ATHERA PREVIEW'

interface FfmpegStepOptions {
  ffmpegPath: string
  niceness?: number
  signal?: AbortSignal
}

async function runStep(step: 'thumbnail' | 'preview', args: string[], options: FfmpegStepOptions) {
  const ffmpeg = new FfmpegProcess(['-v', 'error', '-y', ...args], { ...options, niceness: options.niceness ?? 10 })
  const exit = await ffmpeg.exited
  if (exit.aborted) throw aborted(step)
  if (exit.code !== 0) {
    throw new PipelineError('E_ENCODE_FAILED', step, `The ${step} could not be made.`, stderrTail(exit.stderr))
  }
}

/** A 640 px wide JPEG of the frame at 10% of the clip (past fades and the first framing). */
export async function makeThumbnail(video: string, output: string, durationSeconds: number, options: FfmpegStepOptions) {
  const at = (durationSeconds * 0.1).toFixed(3)
  const args = ['-ss', at, '-i', video, '-frames:v', '1', '-vf', 'scale=640:-2', '-q:v', '3']
  await runStep('thumbnail', [...args, ...STRIP_METADATA, '-f', 'image2', output], options)
}

/** The first `seconds` at `height` p, watermarked across the middle, no audio. */
export async function makePreview(
  video: string,
  output: string,
  settings: { seconds: number; height: number; fps: number },
  options: FfmpegStepOptions
) {
  const font = existsSync(WATERMARK_FONT) ? `fontfile=${WATERMARK_FONT}:` : ''
  const text =
    `drawtext=${font}text='${WATERMARK_TEXT}':fontcolor=white@0.6:fontsize=h/9:` +
    'x=(w-text_w)/2:y=(h-text_h)/2:box=1:boxcolor=black@0.3:boxborderw=14'
  const args = ['-i', video, '-t', String(settings.seconds), '-map', '0:v:0', '-an', '-sn', '-dn']
  args.push('-vf', `scale=-2:${settings.height},${text}`)
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-pix_fmt', 'yuv420p')
  args.push('-g', String(settings.fps * 2), '-movflags', '+faststart')
  await runStep('preview', [...args, ...STRIP_METADATA, '-f', 'mp4', output], options)
}
