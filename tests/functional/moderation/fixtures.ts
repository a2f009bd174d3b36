import { createHash } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import type Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import type User from '#models/user'
import { ClipFactory } from '#database/factories/clip_factory'
import { StorageService, type BucketName } from '#app/core/storage_service'
import { fakeKeypoints } from '#tests/helpers/catalog'

/*
 * Clips as the moderation queue finds them: processed, with their original in the raw bucket
 * and the pipeline's outputs stored (small stand-ins, real objects with their sha256).
 */

/** A regions.json with a face and a shirt number on the first frames (see the schema). */
export function fakeRegions(clipId: string, frames = 20) {
  return {
    schema: 'athera.regions/1',
    clipId,
    fps: 30,
    width: 1280,
    height: 720,
    columns: ['kind', 'x', 'y', 'w', 'h'],
    frames: Array.from({ length: Math.min(frames, 10) }, (_, index) => ({
      index,
      count: 1,
      regions: [
        ['face', 400 + index * 4, 120, 90, 110],
        ['text', 420, 330, 60, 40],
      ],
    })),
    frameCount: frames,
  }
}

/**
 * A processed clip of `creator` (a new creator when absent) with raw, video, keypoints,
 * metadata, thumbnail, preview and, unless `regions: false`, regions assets.
 */
export async function reviewableClip(
  creator: User | null,
  fields: Partial<Clip> = {},
  options: { regions?: boolean; video?: Buffer; thumbnail?: Buffer } = {}
) {
  const clip = await ClipFactory.apply('processed')
    .merge({ ...(creator ? { userId: creator.id } : {}), durationMs: 10_000, ...fields })
    .create()
  const storage = await app.container.make(StorageService)
  const metadata = {
    clipId: clip.id,
    title: clip.title,
    anonymization: {
      anonymize: {
        detectedFaces: 12,
        framesFilledByTracking: [[3, 5]],
        framesWithLowConfidence: [],
      },
    },
  }
  const contents: [ClipAsset['kind'], BucketName, string, Buffer, string][] = [
    ['raw', 'raw', 'original', options.video ?? Buffer.from(`original of ${clip.id}`), 'video/mp4'],
    [
      'video',
      'processed',
      'video.mp4',
      options.video ?? Buffer.from(`anonymized ${clip.id}`),
      'video/mp4',
    ],
    [
      'keypoints',
      'processed',
      'keypoints.json',
      Buffer.from(JSON.stringify(fakeKeypoints(clip.id, 20, 1))),
      'application/json',
    ],
    [
      'metadata',
      'processed',
      'metadata.json',
      Buffer.from(JSON.stringify(metadata)),
      'application/json',
    ],
    [
      'thumbnail',
      'previews',
      'thumbnail.jpg',
      options.thumbnail ?? Buffer.from(`thumbnail of ${clip.id}`),
      'image/jpeg',
    ],
    ['preview', 'previews', 'preview.mp4', Buffer.from(`preview of ${clip.id}`), 'video/mp4'],
  ]
  if (options.regions !== false) {
    contents.push([
      'regions',
      'processed',
      'regions.json',
      Buffer.from(JSON.stringify(fakeRegions(clip.id))),
      'application/json',
    ])
  }
  for (const [kind, bucket, name, data, type] of contents) {
    const key = `clips/${clip.id}/${name}`
    await storage.putStream(bucket, key, data, data.length, { 'Content-Type': type })
    const sha256 = createHash('sha256').update(data).digest('hex')
    await ClipAsset.create({
      clipId: clip.id,
      kind,
      bucket,
      key,
      bytes: data.length,
      sha256,
      contentType: type,
    })
  }
  return clip
}
