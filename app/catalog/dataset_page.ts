import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { undeliveredClipIds, saleStatus, type DatasetManifest } from '#app/datasets/public'
import ClipAsset from '#models/clip_asset'
import Dataset from '#models/dataset'
import DatasetVersion from '#models/dataset_version'
import Licence from '#models/licence'
import ProcessingRun from '#models/processing_run'
import type User from '#models/user'
import { LicenceTextService } from '#app/licences/public'
import { formatLength } from '#app/core/format'
import { StorageService, type BucketName } from '#app/core/storage_service'
import {
  PREVIEW_TTL_SECONDS,
  recallSampleMetadata,
  rememberSampleMetadata,
  sampleMetadataReads,
} from '#app/catalog/catalog_caches'
import { paymentsConfigured } from '#config/stripe'

/**
 * A published dataset's public page: its latest version, the sample clip (its preview,
 * keypoints and metadata.json), what the version holds, how it was made, and the buyer's options.
 */
@inject()
export class DatasetPage {
  constructor(
    protected storage: StorageService,
    protected licenceTexts: LicenceTextService
  ) {}

  /** A published dataset by its slug, with its latest version; a 404 for drafts and unknown slugs. */
  async findPublished(slug: string) {
    const dataset = await Dataset.query()
      .where('slug', slug)
      .where('status', 'published')
      .whereNotNull('latest_version_id')
      .firstOrFail()
    const version = await DatasetVersion.findOrFail(dataset.latestVersionId)
    return { dataset, version }
  }

  /**
   * The sample clip of a version: the first one still licensable (not withdrawn, consent
   * covering the version) with a preview and keypoints. Only clips of the published version qualify.
   */
  async sample(version: DatasetVersion) {
    const row = await db
      .from('dataset_version_clips as dvc')
      .join('clips', 'clips.id', 'dvc.clip_id')
      .where('dvc.dataset_version_id', version.id)
      .whereRaw('clip_licensing_problem(clips.id, ?::licence_type) IS NULL', [version.licenceType])
      .whereExists((sub) =>
        sub
          .from('clip_assets')
          .whereColumn('clip_assets.clip_id', 'clips.id')
          .where('kind', 'preview')
      )
      .whereExists((sub) =>
        sub
          .from('clip_assets')
          .whereColumn('clip_assets.clip_id', 'clips.id')
          .where('kind', 'keypoints')
      )
      .orderBy('dvc.position')
      .select('clips.id')
      .first()
    return row ? (row.id as string) : null
  }

  async #asset(clipId: string, kind: ClipAsset['kind']) {
    return ClipAsset.query().where('clip_id', clipId).where('kind', kind).first()
  }

  /** The sample clip's keypoints.json as a stream, or null when the version has no sample. */
  async sampleKeypoints(version: DatasetVersion) {
    const clipId = await this.sample(version)
    const asset = clipId ? await this.#asset(clipId, 'keypoints') : null
    return asset ? this.storage.getStream(asset.bucket as BucketName, asset.key) : null
  }

  /** A presigned URL of the sample clip's preview video, or null. */
  async samplePreviewUrl(version: DatasetVersion) {
    const clipId = await this.sample(version)
    const asset = clipId ? await this.#asset(clipId, 'preview') : null
    return asset
      ? this.storage.presignedGet(asset.bucket as BucketName, asset.key, PREVIEW_TTL_SECONDS)
      : null
  }

  /** Everything the dataset page shows: the card, the sample, the price and the buyer's options. */
  async detail(dataset: Dataset, version: DatasetVersion, user: User | null) {
    const manifest = version.manifest as unknown as DatasetManifest
    const filesOf = (clip: DatasetManifest['clips'][number]) =>
      Array.isArray(clip.files) ? clip.files : []
    const clipIds = manifest.clips.map((clip) => clip.id)
    const sampleId = await this.sample(version)

    let sampleMetadata: string | null = null
    let metadata: Record<string, any> | null = null
    if (sampleId) {
      const asset = await this.#asset(sampleId, 'metadata')
      if (asset) {
        // Keyed by the file's hash: a reprocessed clip's new metadata.json is a new entry.
        const cacheKey = `${sampleId}:${asset.sha256}`
        let cached = recallSampleMetadata(cacheKey)
        if (!cached) {
          try {
            const chunks: Buffer[] = []
            sampleMetadataReads.count++
            for await (const chunk of await this.storage.getStream(
              asset.bucket as BucketName,
              asset.key
            ))
              chunks.push(chunk as Buffer)
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'))
            cached = { metadata: parsed, pretty: JSON.stringify(parsed, null, 2) }
            rememberSampleMetadata(cacheKey, cached)
          } catch (error) {
            logger.warn({ err: error, clipId: sampleId }, 'sample metadata.json unreadable')
          }
        }
        metadata = cached?.metadata ?? null
        sampleMetadata = cached?.pretty ?? null
      }
    }

    // Model versions of the runs that made each clip's current outputs (the latest successful run).
    const runs = clipIds.length
      ? await ProcessingRun.query()
          .whereIn('clip_id', clipIds)
          .where('status', 'succeeded')
          .orderBy('clip_id')
          .orderBy('attempt', 'desc')
      : []
    const models = new Map<string, Set<string>>()
    const seen = new Set<string>()
    for (const run of runs) {
      if (seen.has(run.clipId)) continue
      seen.add(run.clipId)
      for (const [name, value] of Object.entries(run.modelVersions ?? {})) {
        if (!models.has(name)) models.set(name, new Set())
        models.get(name)!.add(String(value))
      }
    }
    for (const model of (metadata?.models ?? []) as { name: string; version: string }[]) {
      if (!models.has(model.name)) models.set(model.name, new Set())
      models.get(model.name)!.add(String(model.version))
    }

    const undelivered = await undeliveredClipIds(clipIds, version.licenceType)
    const withdrawn = undelivered.size
    const anonymization = metadata?.anonymization ? Object.values(metadata.anonymization)[0] : null
    const settings =
      (anonymization as { settings?: Record<string, unknown> } | null)?.settings ?? null

    return {
      dataset,
      version,
      stats: version.stats,
      durationLabel: formatLength(version.stats.duration_ms),
      sampleClipId: sampleId,
      sampleMetadata,
      card: {
        sports: [...new Set(manifest.clips.map((clip) => clip.sport))].sort(),
        activities: [
          ...new Set(manifest.clips.map((clip) => clip.activity).filter(Boolean)),
        ].sort() as string[],
        skills: [
          ...new Set(manifest.clips.map((clip) => clip.skill_level).filter(Boolean)),
        ].sort() as string[],
        angles: [
          ...new Set(manifest.clips.map((clip) => clip.camera_angle).filter(Boolean)),
        ].sort() as string[],
        files: manifest.clips.reduce((sum, clip) => sum + filesOf(clip).length, 0),
        bytes: manifest.clips.reduce(
          (sum, clip) => sum + filesOf(clip).reduce((total, file) => total + Number(file.bytes), 0),
          0
        ),
        withdrawn,
        pipeline: metadata?.pipeline
          ? `${metadata.pipeline.name} ${metadata.pipeline.version}`
          : null,
        output: metadata?.output
          ? `${metadata.output.width} × ${metadata.output.height} at ${metadata.output.fps} fps, H.264${metadata.output.audio ? '' : ', no audio'}`
          : null,
        blur: settings
          ? {
              faceThreshold: settings.faceThreshold ?? null,
              text: settings.text ?? null,
              blur:
                typeof settings.blur === 'string'
                  ? settings.blur
                  : settings.blur
                    ? JSON.stringify(settings.blur)
                    : null,
            }
          : null,
        models: [...models].map(([name, versions]) => ({
          name,
          versions: [...versions].sort().join(', '),
        })),
      },
      // The wording a buyer agrees to before buying or claiming: the current text of the type.
      terms: await this.licenceTexts.current(version.licenceType),
      action: await this.#action(version, user),
    }
  }

  /**
   * The buyer's button: licence held, not for sale (with the reason), free claim, paid
   * checkout, or payments not configured.
   */
  async #action(version: DatasetVersion, user: User | null) {
    if (user) {
      const licence = await Licence.query()
        .where('buyer_id', user.id)
        .where('dataset_version_id', version.id)
        .whereNull('revoked_at')
        .first()
      if (licence) return { kind: 'held' as const, licenceId: licence.id }
    }
    const sale = await saleStatus(version.id)
    if (!sale?.purchasable)
      return {
        kind: 'unavailable' as const,
        reason: sale?.reason ?? 'This version is not for sale.',
      }
    if (version.priceCents === 0) return { kind: 'claim' as const }
    if (!paymentsConfigured()) return { kind: 'unconfigured' as const }
    return { kind: 'buy' as const }
  }
}
