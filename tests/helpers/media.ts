import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'

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

export function sharedImage(name = 'zidane_yolov5.jpg') {
  return join(SHARED_MEDIA, name)
}

/** Makes a small media file with ffmpeg's test sources (`args` go before the output path). */
export async function ffmpegMake(output: string, args: string[]) {
  await run('ffmpeg', ['-v', 'error', '-y', ...args, output], { timeout: 60_000 })
  return output
}
