import db from '@adonisjs/lucid/services/db'
import type Clip from '#models/clip'
import DatasetVersion from '#models/dataset_version'
import { DatasetFactory } from '#database/factories/dataset_factory'

/** A published dataset of the clip's creator with a first version holding that one clip. */
export async function versionContaining(clip: Clip) {
  const dataset = await DatasetFactory.apply('published').merge({ ownerId: clip.userId }).create()
  const version = await DatasetVersion.create({
    datasetId: dataset.id,
    version: 1,
    manifest: { clips: [clip.id] },
    manifestSha256: 'a'.repeat(64),
    stats: { clips: 1, duration_ms: clip.durationMs ?? 0, people: 1, keypoint_frames: 300 },
    priceCents: dataset.priceCents,
    currency: dataset.currency,
    licenceType: dataset.licenceType,
  })
  await db
    .insertQuery()
    .table('dataset_version_clips')
    .insert({ dataset_version_id: version.id, clip_id: clip.id, position: 0, seconds: 10 })
  return { dataset, version }
}
