import { createHash, randomUUID } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import type { ConsentScope, ConsentUsage } from '#models/consent_record'
import Dataset from '#models/dataset'
import type User from '#models/user'
import { ClipFactory } from '#database/factories/clip_factory'
import { ConsentRecordFactory } from '#database/factories/consent_record_factory'
import { DatasetFactory } from '#database/factories/dataset_factory'
import { DatasetService } from '#app/datasets/dataset_service'
import { datasetErrors } from '#app/datasets/errors'
import { StorageService, type BucketName } from '#app/core/storage_service'

/*
 * Catalog fixtures: approved clips whose processed files really are in the object store (so a
 * manifest's sha256 and sizes can be checked against the bytes), and published datasets.
 */

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

/** A keypoints.json with `frames` frames, `people` tracked people in every other frame. */
export function fakeKeypoints(clipId: string, frames: number, people: number) {
  const person = (trackId: number) => {
    const keypoints = Array.from({ length: 33 }, (_, index) => [
      200 + trackId * 300 + (index % 5) * 20,
      120 + index * 15,
      0.9,
    ])
    return {
      trackId,
      bbox: [150 + trackId * 300, 100, 200, 520],
      score: 0.9,
      keypoints,
      smoothed: keypoints,
    }
  }
  return {
    schema: 'https://athera.dev/schemas/keypoints.schema.json',
    clipId,
    fps: 30,
    width: 1280,
    height: 720,
    keypointFormat: 'mediapipe-pose-33',
    frameCount: frames,
    frames: Array.from({ length: frames }, (_, index) => ({
      index,
      timeMs: Math.round((index * 1000) / 30),
      people:
        index % 2 === 0 ? Array.from({ length: people }, (_slot, track) => person(track)) : [],
    })),
  }
}

/**
 * An approved clip of `creator` with every asset a processed clip has (raw included, so a test
 * can check it never reaches a manifest), each stored with its real size and sha256.
 */
export async function approvedClipWithAssets(
  creator: User,
  fields: Partial<Clip> = {},
  options: { frames?: number; people?: number } = {}
) {
  const clip = await ClipFactory.apply('approved')
    .merge({ userId: creator.id, durationMs: 10_000, ...fields })
    .create()
  const storage = await app.container.make(StorageService)
  const keypoints = fakeKeypoints(clip.id, options.frames ?? 20, options.people ?? 2)
  const metadata = {
    clipId: clip.id,
    title: clip.title,
    sport: clip.sport,
    pipeline: { name: 'athera-pipeline', version: '1.4.0', ffmpeg: '7.1' },
    output: {
      codec: 'h264',
      width: 1280,
      height: 720,
      fps: 30,
      durationSeconds: 10,
      frameCount: 300,
      audio: false,
    },
    models: [{ name: 'pose-landmarker-full', version: 'sha256:abc123' }],
    anonymization: {
      anonymize: { settings: { faceThreshold: 0.35, text: 'numbers', blur: 'gaussian' } },
    },
  }
  const contents: Record<ClipAsset['kind'], { bucket: BucketName; data: Buffer; type: string }> = {
    raw: { bucket: 'raw', data: Buffer.from(`raw original of ${clip.id}`), type: 'video/mp4' },
    video: {
      bucket: 'processed',
      data: Buffer.from(`standardized video of ${clip.id}`),
      type: 'video/mp4',
    },
    keypoints: {
      bucket: 'processed',
      data: Buffer.from(JSON.stringify(keypoints)),
      type: 'application/json',
    },
    metadata: {
      bucket: 'processed',
      data: Buffer.from(JSON.stringify(metadata)),
      type: 'application/json',
    },
    thumbnail: {
      bucket: 'previews',
      data: Buffer.from(`thumbnail of ${clip.id}`),
      type: 'image/jpeg',
    },
    preview: { bucket: 'previews', data: Buffer.from(`preview of ${clip.id}`), type: 'video/mp4' },
    regions: {
      bucket: 'processed',
      data: Buffer.from(JSON.stringify({ clipId: clip.id, frames: [] })),
      type: 'application/json',
    },
  }
  for (const [kind, item] of Object.entries(contents) as [
    ClipAsset['kind'],
    (typeof contents)['raw'],
  ][]) {
    const key = `clips/${clip.id}/${kind}`
    await storage.putStream(item.bucket, key, item.data, item.data.length, {
      'Content-Type': item.type,
    })
    await ClipAsset.create({
      clipId: clip.id,
      kind,
      bucket: item.bucket,
      key,
      bytes: item.data.length,
      sha256: sha256(item.data),
      contentType: item.type,
    })
  }
  return clip
}

/** Picks `clips` for `dataset` and publishes; throws with the service's message on refusal. */
export async function publishWith(dataset: Dataset, owner: User, clips: Clip[]) {
  const service = await app.container.make(DatasetService)
  const picked = await service.setClips(
    dataset,
    owner,
    clips.map((clip) => clip.id)
  )
  if (!picked.ok) throw new Error(datasetErrors.describe(picked))
  const published = await service.publish(await Dataset.findOrFail(dataset.id))
  if (!published.ok) throw new Error(datasetErrors.describe(published))
  return published.value.version
}

/** A draft dataset of `owner` (a creator) with the given details. */
export function draftDataset(owner: User, fields: Partial<Dataset> = {}) {
  return DatasetFactory.merge({
    ownerId: owner.id,
    sport: 'football',
    priceCents: 2500,
    ...fields,
  }).create()
}

/**
 * A published dataset written straight into the catalog columns (no clips, a one-line
 * manifest): for pagination and sorting, where only the listing matters.
 */
export async function listedDataset(owner: User, fields: Partial<Dataset> = {}) {
  const dataset = await DatasetFactory.merge({
    ownerId: owner.id,
    status: 'draft',
    ...fields,
  }).create()
  const manifest = { format: 1, clips: [] }
  const [version] = await db
    .table('dataset_versions')
    .insert({
      id: randomUUID(),
      dataset_id: dataset.id,
      version: 1,
      manifest: JSON.stringify(manifest),
      manifest_sha256: sha256(Buffer.from(JSON.stringify(manifest))),
      stats: JSON.stringify({
        clips: fields.clipCount ?? 1,
        duration_ms: fields.durationMs ?? 60_000,
        people: 1,
        keypoint_frames: 10,
      }),
      price_cents: dataset.priceCents,
      currency: dataset.currency,
      licence_type: dataset.licenceType,
    })
    .returning('id')
  await db
    .from('datasets')
    .where('id', dataset.id)
    .update({
      status: 'published',
      latest_version_id: version.id,
      published_at: fields.publishedAt?.toJSDate() ?? new Date(),
      listed_price_cents: dataset.priceCents,
      listed_licence_type: dataset.licenceType,
      clip_count: fields.clipCount ?? 1,
      duration_ms: fields.durationMs ?? 60_000,
      sports: fields.sports ?? [dataset.sport ?? 'football'],
    })
  return Dataset.findOrFail(dataset.id)
}

/**
 * An approved clip of `creator` uploaded under a grant with these scopes and usage (with every
 * processed asset stored when `withAssets`): what consent eligibility is decided from.
 */
export async function clipUnder(
  creator: User,
  consent: { scopes: ConsentScope[]; usage: ConsentUsage },
  fields: Partial<Clip> = {},
  withAssets = false
) {
  const grant = await ConsentRecordFactory.merge({ userId: creator.id, ...consent }).create()
  if (withAssets) return approvedClipWithAssets(creator, { ...fields, consentRecordId: grant.id })
  return ClipFactory.apply('approved')
    .merge({ userId: creator.id, consentRecordId: grant.id, ...fields })
    .create()
}
