/**
 * Catalog images made from the standardized frames (never the original: they are already
 * anonymized and stripped): a JPEG thumbnail and a short watermarked preview. Normally the
 * encoder makes both as it writes video.mp4 (`thumbnailTap`, `previewTap`); the make*
 * functions build them from video.mp4 when a step must run again on its own. Both ways use the
 * same filters and codec settings below, so the files are alike.
 */
import { existsSync } from 'node:fs'
import { FfmpegProcess, stderrTail } from '../video/ffmpeg.js'
import { inputArgs } from '../video/container.js'
import { aborted } from '../video/frames.js'
import { STRIP_METADATA, type EncoderTap } from '../video/frame_encoder.js'
import { PipelineError } from './types.js'

/** Debian's ffmpeg depends on fonts-dejavu-core; elsewhere drawtext falls back to fontconfig. */
export const WATERMARK_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'
export const WATERMARK_TEXT = 'ATHERA PREVIEW'

/** Where the thumbnail is taken: 10% into the clip, past fades and the first framing. */
export const THUMBNAIL_AT = 0.1

export interface PreviewSettings {
  seconds: number
  height: number
  fps: number
}

interface FfmpegStepOptions {
  ffmpegPath: string
  niceness?: number
  signal?: AbortSignal
}

const THUMBNAIL_FILTER = 'scale=640:-2'
const THUMBNAIL_ARGS = ['-frames:v', '1', '-q:v', '3', ...STRIP_METADATA, '-f', 'image2']

function previewFilter(settings: PreviewSettings) {
  const font = existsSync(WATERMARK_FONT) ? `fontfile=${WATERMARK_FONT}:` : ''
  const text =
    `drawtext=${font}text='${WATERMARK_TEXT}':fontcolor=white@0.6:fontsize=h/9:` +
    'x=(w-text_w)/2:y=(h-text_h)/2:box=1:boxcolor=black@0.3:boxborderw=14'
  return `scale=-2:${settings.height},${text}`
}

function previewArgs(settings: PreviewSettings) {
  const args = [
    '-an',
    '-sn',
    '-dn',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '28',
    '-pix_fmt',
    'yuv420p',
  ]
  args.push('-g', String(settings.fps * 2), '-movflags', '+faststart')
  return [...args, ...STRIP_METADATA, '-f', 'mp4']
}

/** The thumbnail from output frame `frame` (the encoder's frames, at the output rate). */
export function thumbnailTap(path: string, frame: number): EncoderTap {
  const at = Math.max(0, Math.floor(frame))
  // trim counts frames as they reach it and ends its branch after one: no frame is held back.
  return {
    path,
    filter: `trim=start_frame=${at}:end_frame=${at + 1},${THUMBNAIL_FILTER}`,
    args: THUMBNAIL_ARGS,
  }
}

/** The first `seconds` of the output frames as the preview. */
export function previewTap(path: string, settings: PreviewSettings): EncoderTap {
  const frames = Math.round(settings.seconds * settings.fps)
  return {
    path,
    filter: `trim=end_frame=${frames},${previewFilter(settings)}`,
    args: previewArgs(settings),
  }
}

/** The output frame index the thumbnail is taken from, for a clip of `frameCount` frames. */
export function thumbnailFrame(frameCount: number) {
  return Math.min(Math.max(0, frameCount - 1), Math.round(frameCount * THUMBNAIL_AT))
}

async function runStep(step: 'thumbnail' | 'preview', args: string[], options: FfmpegStepOptions) {
  const ffmpeg = new FfmpegProcess(['-v', 'error', '-y', ...args], {
    ...options,
    niceness: options.niceness ?? 10,
  })
  const exit = await ffmpeg.exited
  if (exit.aborted) throw aborted(step)
  if (exit.code !== 0) {
    throw new PipelineError(
      'E_ENCODE_FAILED',
      step,
      `The ${step} could not be made.`,
      stderrTail(exit.stderr)
    )
  }
}

/** The thumbnail from video.mp4, at THUMBNAIL_AT of its duration. */
export async function makeThumbnail(
  video: string,
  output: string,
  durationSeconds: number,
  options: FfmpegStepOptions
) {
  const at = (durationSeconds * THUMBNAIL_AT).toFixed(3)
  await runStep(
    'thumbnail',
    [
      '-ss',
      at,
      ...inputArgs('mp4'),
      '-i',
      video,
      '-vf',
      THUMBNAIL_FILTER,
      ...THUMBNAIL_ARGS,
      output,
    ],
    options
  )
}

/** The preview from video.mp4: its first `seconds` at `height` p, watermarked, no audio. */
export async function makePreview(
  video: string,
  output: string,
  settings: PreviewSettings,
  options: FfmpegStepOptions
) {
  const args = [
    ...inputArgs('mp4'),
    '-i',
    video,
    '-t',
    String(settings.seconds),
    '-map',
    '0:v:0',
    '-vf',
    previewFilter(settings),
  ]
  await runStep('preview', [...args, ...previewArgs(settings), output], options)
}
