import db from '@adonisjs/lucid/services/db'
import DatasetVersion from '#models/dataset_version'
import { ClipFactory } from '#database/factories/clip_factory'
import { DatasetFactory } from '#database/factories/dataset_factory'
import { sha256 } from '#tests/helpers/exports'

/**
 * Version 1 of a published dataset with an empty manifest: what route tables point their
 * licence, checkout and order rows at. Fixtures run for every row, so it writes no clips and
 * no objects.
 */
export async function emptyPublishedVersion(
  options: { priceCents?: number; withClip?: boolean } = {}
) {
  const dataset = await DatasetFactory.apply('published')
    .merge(options.priceCents === undefined ? {} : { priceCents: options.priceCents })
    .create()
  const manifest = { format: 1, clips: [] }
  const version = await DatasetVersion.create({
    datasetId: dataset.id,
    version: 1,
    manifest,
    manifestSha256: sha256(JSON.stringify(manifest)),
    stats: { clips: 0, duration_ms: 0, people: 0, keypoint_frames: 0 },
    priceCents: dataset.priceCents,
    currency: dataset.currency,
    licenceType: dataset.licenceType,
  })
  // A version with nothing licensable is not for sale (409): checkout rows need one clip.
  if (options.withClip) {
    const clip = await ClipFactory.apply('approved').create()
    await db
      .insertQuery()
      .table('dataset_version_clips')
      .insert({ dataset_version_id: version.id, clip_id: clip.id, position: 0, seconds: 5 })
  }
  return { dataset, version }
}
