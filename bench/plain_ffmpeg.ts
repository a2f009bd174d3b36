/**
 * The benchmarks' baseline: one plain ffmpeg process from the original to the pipeline's default
 * target, the transcode alone, or (`catalog`) the transcode plus the same thumbnail and preview
 * the pipeline makes with the same filters and codec settings: the fastest any implementation
 * of the pipeline's outputs could be.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { previewTap, thumbnailFrame, thumbnailTap } from '../workers/pipeline/previews.js'
import { DEFAULT_PIPELINE_OPTIONS } from '../workers/pipeline/types.js'
import { geometryFilter } from '../workers/video/filters.js'

export function plainFfmpeg(
  input: string,
  work: string,
  clip: { sourceFps: number; frames: number; catalog: boolean }
) {
  const { width, height, fps, gop, previewSeconds, previewHeight } = DEFAULT_PIPELINE_OPTIONS
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', input]
  const geometry = `${geometryFilter({ width, height, fps }, clip.sourceFps)},format=yuv420p`
  const taps = clip.catalog
    ? [
        thumbnailTap(join(work, 'plain-thumbnail.jpg'), thumbnailFrame(clip.frames)),
        previewTap(join(work, 'plain-preview.mp4'), {
          seconds: previewSeconds,
          height: previewHeight,
          fps,
        }),
      ]
    : []
  if (taps.length) {
    const graph = [
      `[0:v:0]${geometry},split=${taps.length + 1}[video]${taps.map((_, i) => `[tap${i}]`).join('')}`,
    ]
    taps.forEach((tap, i) => graph.push(`[tap${i}]${tap.filter}[out${i}]`))
    args.push('-filter_complex', graph.join(';'), '-map', '[video]', '-an')
  } else {
    args.push('-map', '0:v:0', '-an', '-vf', geometry)
  }
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p')
  args.push(
    '-g',
    String(gop),
    '-keyint_min',
    String(gop),
    '-sc_threshold',
    '0',
    '-r',
    String(fps),
    '-fps_mode',
    'cfr'
  )
  args.push('-map_metadata', '-1', '-movflags', '+faststart', join(work, 'plain.mp4'))
  taps.forEach((tap, i) => args.push('-map', `[out${i}]`, ...tap.args, tap.path))
  return new Promise<void>((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: 'ignore' })
    child.once('error', reject)
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}`))
    )
  })
}
