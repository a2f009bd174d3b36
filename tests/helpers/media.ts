import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import type { Frame } from '#workers/pipeline/types'

const run = promisify(execFile)

/** `../shared/media` beside the checkout: real clips, never copied into the project. */
export const SHARED_MEDIA = join(app.appRoot.pathname, '..', 'shared', 'media')

export function sharedMediaAvailable() {
  return existsSync(SHARED_MEDIA)
}

export const SKIP_WITHOUT_MEDIA = `../shared/media is absent (${SHARED_MEDIA}): tests on real clips are skipped`

export function sharedClips() {
  if (!sharedMediaAvailable()) return []
  return readdirSync(SHARED_MEDIA)
    .filter((name) => name.endsWith('.mp4'))
    .sort()
    .map((name) => join(SHARED_MEDIA, name))
}

/**
 * The shortest shared clip with people in it (3 s): for tests about the job's plumbing, where
 * the models' work on a longer clip would only add minutes.
 */
export function shortClip() {
  return sharedClips().find((path) => path.includes('two_people')) ?? sharedClips()[0]
}

export function sharedImage(name = 'zidane_yolov5.jpg') {
  return join(SHARED_MEDIA, name)
}

/** Makes a small media file with ffmpeg's test sources (`args` go before the output path). */
export async function ffmpegMake(output: string, args: string[]) {
  await run('ffmpeg', ['-v', 'error', '-y', ...args, output], { timeout: 60_000 })
  return output
}

/**
 * A picture (or a clip's frame at `seekSeconds`) as the pipeline hands frames to processors:
 * fitted into `width × height`, letterboxed, I420 BT.709 limited range. A bare file name is
 * looked up in the shared media.
 */
export async function imageFrame(
  nameOrPath: string,
  width = 1280,
  height = 720,
  seekSeconds = 0
): Promise<Frame> {
  const path = nameOrPath.includes('/') ? nameOrPath : join(SHARED_MEDIA, nameOrPath)
  const filter = `scale=${width}:${height}:force_original_aspect_ratio=decrease:out_color_matrix=bt709:out_range=tv,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1`
  const seek = seekSeconds > 0 ? ['-ss', String(seekSeconds)] : []
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      ...seek,
      '-i',
      path,
      '-frames:v',
      '1',
      '-vf',
      filter,
      '-pix_fmt',
      'yuv420p',
      '-color_range',
      'tv',
      '-f',
      'rawvideo',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }
  )
  return { index: 0, timeMs: seekSeconds * 1000, width, height, format: 'yuv420p', data: stdout }
}
