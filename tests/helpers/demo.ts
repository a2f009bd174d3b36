import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import DemoSeeder from '#database/seeders/demo_seeder'
import { CatalogService } from '#app/catalog/catalog_service'
import { ffmpegMake } from '#tests/helpers/media'

/**
 * A temporary media folder as DEMO_MEDIA_DIR would name one: copies of `clips`, or a 2 s
 * generated test pattern when none are given, beside a text file and a broken "video" that the
 * seeder must leave out. Never in the repository.
 */
export async function demoMediaFolder(clips: string[] = []) {
  const dir = await mkdtemp(join(tmpdir(), 'athera-demo-media-'))
  if (clips.length === 0) {
    await ffmpegMake(join(dir, 'a_pattern.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'smptebars=size=640x360:rate=30:duration=2',
      '-pix_fmt',
      'yuv420p',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
    ])
  }
  for (const clip of clips) await copyFile(clip, join(dir, basename(clip)))
  await writeFile(join(dir, 'README.txt'), 'not a video')
  await writeFile(join(dir, 'zz_broken.mp4'), 'these bytes are not a video container')
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** Runs the demo seeder as `node ace db:seed` does, with DEMO_MEDIA_DIR set to `mediaDir`. */
export async function seedDemo(mediaDir?: string) {
  const seeder = new DemoSeeder(db.connection())
  seeder.mediaDir = mediaDir
  await seeder.run()
  CatalogService.clearCache()
}

/** Every <img> and <video> of a page, with its src ('' when it has none). */
export function mediaTags(html: string) {
  return [...html.matchAll(/<(img|video)\b[^>]*>/g)].map(([tag, name]) => ({
    name,
    tag,
    src: /\ssrc="([^"]*)"/.exec(tag)?.[1] ?? '',
  }))
}

/** The HTML of one catalog card (`data-dataset-card="slug"`), up to its closing </article>. */
export function catalogCard(html: string, slug: string) {
  const start = html.indexOf(`data-dataset-card="${slug}"`)
  if (start === -1) throw new Error(`no catalog card for ${slug}`)
  return html.slice(start, html.indexOf('</article>', start))
}
