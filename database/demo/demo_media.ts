/*
 * Real media for the demo's clips (DEMO_MEDIA_DIR): each video is stored as a clip's original,
 * as an accepted upload leaves it, then the worker's own process-clip handler runs on it in
 * this process, so the seed ends with every asset published. Outside database/seeders: Lucid
 * would run any file there as a seeder.
 */
import { open, readdir, stat } from 'node:fs/promises'
import { extname, join, resolve, basename } from 'node:path'
import app from '@adonisjs/core/services/app'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import config from '#config/athera'
import type Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import ProcessClip from '#jobs/process_clip'
import { StorageService } from '#app/core/storage_service'
import { VisionService } from '#app/processing/vision_service'
import { detectContainer } from '#workers/video/container'
import { probe } from '#workers/video/probe'
import { digestFile } from '#workers/pipeline/files'

export const DEMO_MEDIA_EXTENSIONS = ['.mp4', '.mov', '.mkv', '.webm']

/** A video of the media folder, with what the upload service records of an accepted upload. */
export interface DemoVideo {
  path: string
  filename: string
  contentType: string
  bytes: number
  sha256: string
  durationMs: number
  width: number
  height: number
  fps: number
}

/**
 * The usable videos of `dir`, by file name. A file that is not a readable video is left out
 * with a warning; a missing folder, or one without any usable video, is an error.
 */
export async function readDemoMedia(
  dir: string,
  warn: (line: string) => void
): Promise<DemoVideo[]> {
  const folder = resolve(dir)
  const found = await stat(folder).catch(() => null)
  if (!found?.isDirectory()) {
    throw new Error(`DEMO_MEDIA_DIR is ${folder}, which is not a folder.`)
  }
  const entries = await readdir(folder)
  const names = entries
    .filter((name) => DEMO_MEDIA_EXTENSIONS.includes(extname(name).toLowerCase()))
    .sort()
  const videos: DemoVideo[] = []
  for (const name of names) {
    try {
      videos.push(await inspect(join(folder, name)))
    } catch (error) {
      warn(`Demo media: ${name} is left out: ${(error as Error).message}`)
    }
  }
  if (videos.length === 0) {
    throw new Error(
      `DEMO_MEDIA_DIR (${folder}) holds no usable video (${DEMO_MEDIA_EXTENSIONS.join(', ')}).`
    )
  }
  return videos
}

async function inspect(path: string): Promise<DemoVideo> {
  const handle = await open(path, 'r')
  const head = Buffer.alloc(64)
  try {
    await handle.read(head, 0, head.length, 0)
  } finally {
    await handle.close()
  }
  // The bytes say what the file is, as for an upload; the extension only picked it.
  const container = detectContainer(head)
  if (!container.kind) throw new Error(container.refusal ?? 'it is not a video container.')
  const info = await probe(path, {
    ffprobePath: config.media.ffprobePath,
    timeoutMs: 60_000,
    container: container.kind,
  })
  const video = info.video[0]
  if (!video || video.width === 0 || video.height === 0) throw new Error('it has no video stream.')
  const { bytes, sha256 } = await digestFile(path)
  return {
    path,
    filename: basename(path),
    contentType: container.contentType ?? 'application/octet-stream',
    bytes,
    sha256,
    durationMs: Math.round(info.durationSeconds * 1000),
    width: video.width,
    height: video.height,
    fps: Math.round(video.fps * 1000) / 1000,
  }
}

/** The clip's columns an accepted upload of `video` sets. */
export function originalFields(video: DemoVideo) {
  return {
    originalFilename: video.filename,
    contentType: video.contentType,
    bytes: video.bytes,
    sha256: video.sha256,
    durationMs: video.durationMs,
    width: video.width,
    height: video.height,
    fps: video.fps,
  }
}

/**
 * Stores `video` as the clip's original in the raw bucket with its asset row, as the upload
 * service does. Should the transaction roll back, the object is one the upload sweeper removes.
 */
export async function storeOriginal(trx: TransactionClientContract, clip: Clip, video: DemoVideo) {
  const storage = await app.container.make(StorageService)
  const key = `clips/${clip.id}/original`
  await storage.putFile('raw', key, video.path, video.contentType)
  await ClipAsset.create(
    {
      clipId: clip.id,
      kind: 'raw',
      bucket: 'raw',
      key,
      bytes: video.bytes,
      sha256: video.sha256,
      contentType: video.contentType,
    },
    { client: trx }
  )
}

/**
 * Runs the worker's `process-clip` handler on each clip, one after the other, here rather than
 * through the queue: the seed ends with standardized video, keypoints, metadata, thumbnail and
 * watermarked preview published. A failure is not final (a later seed resumes the clip), so it
 * stops the seed with the pipeline's own message.
 */
export async function processDemoClips(clips: Clip[], log: (line: string) => void) {
  if (clips.length === 0) return
  const handler = await app.container.make(ProcessClip)
  const total = performance.now()
  try {
    for (const [index, clip] of clips.entries()) {
      const started = performance.now()
      const runs = await clip.related('processingRuns').query().count('* as total').first()
      const attempt = runs?.$extras.total ?? 0
      try {
        await handler.handle(
          { clipId: clip.id },
          {
            jobId: `demo-seed-${clip.id}`,
            attempt: Number(attempt) + 1,
            finalAttempt: false,
            reportProgress: async () => {},
          }
        )
      } catch (error) {
        throw new Error(
          `Processing the demo clip “${clip.title}” (${clip.originalFilename}) failed: ${(error as Error).message} ` +
            'Run `node ace db:seed` again to resume.'
        )
      }
      await clip.refresh()
      if (clip.status !== 'processed') {
        throw new Error(`The demo clip “${clip.title}” was not processed (it is ${clip.status}).`)
      }
      log(
        `Demo media: ${index + 1}/${clips.length} “${clip.title}” from ${clip.originalFilename} processed in ${seconds(started)} s`
      )
    }
    log(
      `Demo media: ${clips.length} clip${clips.length === 1 ? '' : 's'} processed in ${seconds(total)} s`
    )
  } finally {
    // The models' thread would keep the seeding process alive.
    await VisionService.close()
  }
}

function seconds(since: number) {
  return ((performance.now() - since) / 1000).toFixed(1)
}
