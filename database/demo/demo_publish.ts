import { createHash } from 'node:crypto'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type Clip from '#models/clip'
import Dataset from '#models/dataset'
import DatasetVersion from '#models/dataset_version'
import type User from '#models/user'
import { SETTING_DEFAULTS } from '#app/core/settings_store'
import {
  canonicalJson,
  listVersion,
  manifestClip,
  manifestFiles,
  type DatasetManifest,
} from '#app/datasets/dataset_service'

/** Creates a published dataset and its version 1 with the clips' seconds frozen. */
export async function publishDemoDataset(
  trx: TransactionClientContract,
  spec: Pick<
    Dataset,
    'title' | 'slug' | 'description' | 'sport' | 'tags' | 'licenceType' | 'priceCents' | 'curated'
  > & {
    owner: User
    clips: Clip[]
  }
) {
  const { owner, clips, ...fields } = spec
  const dataset = await Dataset.create(
    { ...fields, ownerId: owner.id, currency: SETTING_DEFAULTS.currency, status: 'published' },
    { client: trx }
  )
  // Format 1, as DatasetService.publish writes it: a clip with media lists its processed
  // files (so downloads deliver them), a clip without lists none.
  const manifest: DatasetManifest = canonicalJson({
    format: 1 as const,
    clips: clips.map((clip, position) =>
      manifestClip(clip, position, clip.durationMs ?? 0, manifestFiles(clip.id, clip.assets))
    ),
  })
  const durationMs = clips.reduce((sum, clip) => sum + (clip.durationMs ?? 0), 0)
  const version = await DatasetVersion.create(
    {
      datasetId: dataset.id,
      version: 1,
      manifest: manifest as unknown as Record<string, unknown>,
      manifestSha256: createHash('sha256').update(JSON.stringify(manifest)).digest('hex'),
      stats: {
        clips: clips.length,
        duration_ms: durationMs,
        // The pipeline's counts where it ran; an estimate for clips without media.
        people: clips.reduce((sum, clip) => sum + (clip.keypointPeople ?? 1), 0),
        keypoint_frames: clips.reduce(
          (sum, clip) =>
            sum + (clip.keypointFrames ?? Math.round(((clip.durationMs ?? 0) / 1000) * 29.97)),
          0
        ),
      },
      priceCents: dataset.priceCents,
      currency: dataset.currency,
      licenceType: dataset.licenceType,
    },
    { client: trx }
  )
  await trx
    .insertQuery()
    .table('dataset_version_clips')
    .multiInsert(
      clips.map((clip, position) => ({
        dataset_version_id: version.id,
        clip_id: clip.id,
        position,
        seconds: (clip.durationMs ?? 0) / 1000,
      }))
    )
  // The catalog's filter columns and the editor's clip selection, as publishing leaves them.
  await listVersion(trx, dataset, version, clips)
  await trx
    .insertQuery()
    .table('dataset_clips')
    .multiInsert(
      clips.map((clip, position) => ({ dataset_id: dataset.id, clip_id: clip.id, position }))
    )
  return version
}
