import { createHash } from 'node:crypto'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import type Clip from '#models/clip'
import ClipAsset, { type ClipAssetKind } from '#models/clip_asset'
import type User from '#models/user'
import type { JobContext } from '#jobs/registry'
import { StorageService } from '#app/core/storage_service'
import { reviewableClip } from '#tests/functional/moderation/fixtures'
import { ffmpegMake } from '#tests/helpers/media'

const run = promisify(execFile)

/** The synthetic clip's frames: testsrc2 has detail everywhere, so a blur shows in any box. */
export const REDACTION_CLIP = { width: 1280, height: 720, fps: 30, frameCount: 60 }

/** The automatic region the fixture's regions.json says was blurred (frames 0–9). */
export const AUTOMATIC_FACE = { x: 100, y: 100, width: 80, height: 100 }

export function jobContext(overrides: Partial<JobContext> = {}): JobContext {
  return {
    jobId: 'test-job',
    attempt: 1,
    finalAttempt: true,
    reportProgress: async () => {},
    ...overrides,
  }
}

/**
 * A 2 s clip at the pipeline's geometry: testsrc2 averaged with a grainy texture that pans, so
 * every box has detail to lose to a blur and something for the tracker to follow.
 */
export async function redactionMedia() {
  const work = await mkdtemp(join(tmpdir(), 'athera-redaction-'))
  const texture = await ffmpegMake(join(work, 'texture.png'), [
    '-f',
    'lavfi',
    '-i',
    'color=c=gray:s=1600x960,noise=alls=90:allf=u,gblur=sigma=1.2',
    '-frames:v',
    '1',
  ])
  const { width, height, fps } = REDACTION_CLIP
  const path = await ffmpegMake(join(work, 'clip.mp4'), [
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=${fps}:duration=2`,
    '-loop',
    '1',
    '-framerate',
    String(fps),
    '-i',
    texture,
    '-filter_complex',
    `[1:v]crop=${width}:${height}:x='t*60':y='t*30'[texture];[0:v][texture]blend=all_mode=average,format=yuv420p`,
    '-t',
    '2',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '18',
    '-g',
    '60',
    '-movflags',
    '+faststart',
  ])
  return { video: await readFile(path), cleanup: () => rm(work, { recursive: true, force: true }) }
}

/**
 * A processed clip whose original and anonymized video are the synthetic clip, with a
 * regions.json (one automatic face on frames 0–9) and a metadata.json describing the video as
 * the pipeline does (`output`, `files`, `settings.blur`).
 */
export async function redactableClip(
  creator: User | null,
  video: Buffer,
  fields: Partial<Clip> = {}
) {
  const clip = await reviewableClip(
    creator,
    {
      durationMs: 2000,
      keypointPeople: 1,
      keypointFrames: 20,
      keypointFrameCount: 60,
      keypointFps: 30,
    },
    { video }
  )
  // After the factory's state, which sets its own status.
  await clip.merge(fields).save()
  const regions = {
    schema: 'athera.regions/1',
    clipId: clip.id,
    fps: REDACTION_CLIP.fps,
    width: REDACTION_CLIP.width,
    height: REDACTION_CLIP.height,
    columns: ['kind', 'x', 'y', 'w', 'h'],
    frames: Array.from({ length: 10 }, (_, index) => ({
      index,
      count: 1,
      regions: [
        ['face', AUTOMATIC_FACE.x, AUTOMATIC_FACE.y, AUTOMATIC_FACE.width, AUTOMATIC_FACE.height],
      ],
    })),
    frameCount: REDACTION_CLIP.frameCount,
  }
  const assets = await ClipAsset.query().where('clip_id', clip.id)
  const sha = (kind: ClipAssetKind) => assets.find((asset) => asset.kind === kind)!
  const metadata = {
    schema: 'athera.metadata/1',
    clipId: clip.id,
    title: clip.title,
    sport: clip.sport,
    tags: [],
    output: {
      codec: 'h264',
      width: 1280,
      height: 720,
      fps: 30,
      durationSeconds: 2,
      frameCount: 60,
      audio: false,
    },
    files: Object.fromEntries(
      (['video', 'keypoints', 'thumbnail', 'preview'] as const).map((kind) => [
        kind,
        { bytes: Number(sha(kind).bytes), sha256: sha(kind).sha256 },
      ])
    ),
    settings: { gop: 60, keepAudio: false, blur: 'gaussian' },
    anonymization: { anonymize: { detectedFaces: 1 } },
  }
  await replaceAsset(clip.id, 'regions', Buffer.from(JSON.stringify(regions)))
  await replaceAsset(clip.id, 'metadata', Buffer.from(JSON.stringify(metadata)))
  return clip
}

/** Stores new bytes for one of the clip's assets, its row updated to match. */
export async function replaceAsset(clipId: string, kind: ClipAssetKind, data: Buffer) {
  const storage = await app.container.make(StorageService)
  const asset = await ClipAsset.query().where('clip_id', clipId).where('kind', kind).firstOrFail()
  await storage.putStream(asset.bucket, asset.key, data, data.length, {
    'Content-Type': asset.contentType,
  })
  asset.merge({ bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') })
  await asset.save()
}

export async function readAsset(clipId: string, kind: ClipAssetKind) {
  const storage = await app.container.make(StorageService)
  const asset = await ClipAsset.query().where('clip_id', clipId).where('kind', kind).firstOrFail()
  const chunks: Buffer[] = []
  for await (const chunk of await storage.getStream(asset.bucket, asset.key))
    chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Output frame `frame` of an MP4 as a full-size grey image (ffmpeg decodes, Node keeps the bytes). */
export async function greyFrame(video: Buffer, frame: number) {
  const work = await mkdtemp(join(tmpdir(), 'athera-frame-'))
  try {
    const path = join(work, 'video.mp4')
    await writeFile(path, video)
    const { stdout } = await run(
      'ffmpeg',
      [
        '-v',
        'error',
        '-i',
        path,
        '-vf',
        `select=eq(n\\,${frame}),format=gray`,
        '-frames:v',
        '1',
        '-f',
        'rawvideo',
        'pipe:1',
      ],
      { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 }
    )
    return { width: REDACTION_CLIP.width, height: REDACTION_CLIP.height, data: stdout as Buffer }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/**
 * Mean high-pass energy (absolute Laplacian) inside `box`: detail left in the pixels. A blurred
 * region keeps a small fraction of a sharp one's.
 */
export function highPassEnergy(
  image: { width: number; data: Buffer },
  box: { x: number; y: number; width: number; height: number }
) {
  const { width, data } = image
  let total = 0
  let count = 0
  for (let y = box.y + 1; y < box.y + box.height - 1; y++) {
    for (let x = box.x + 1; x < box.x + box.width - 1; x++) {
      const at = y * width + x
      total += Math.abs(
        4 * data[at] - data[at - 1] - data[at + 1] - data[at - width] - data[at + width]
      )
      count++
    }
  }
  return total / Math.max(1, count)
}
