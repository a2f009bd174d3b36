/** The drill's test videos, made with ffmpeg in its work directory. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { run } from './processes.js'
import { work } from './services.js'

export async function ffmpeg(args: string[]) {
  await run('ffmpeg', ['-v', 'error', '-y', ...args], { timeout: 120_000 })
}
let clipCounter = 0
/** A short test video, unique bytes each time (a re-upload of the same bytes is a duplicate). */
export async function testVideo(seconds = 3) {
  clipCounter += 1
  const path = join(work, `clip-${clipCounter}.mp4`)
  const pattern = ['testsrc', 'testsrc2', 'smptebars', 'rgbtestsrc'][clipCounter % 4]
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `${pattern}=size=320x240:rate=25:duration=${seconds}`,
    '-vf',
    `hue=h=${clipCounter * 37}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-metadata',
    `comment=drill-${clipCounter}-${randomBytes(4).toString('hex')}`,
    '-movflags',
    '+faststart',
    path,
  ])
  return readFile(path)
}
