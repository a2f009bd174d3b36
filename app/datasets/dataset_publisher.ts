import { createHash } from 'node:crypto'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import Clip from '#models/clip'
import Dataset from '#models/dataset'
import DatasetVersion, { type DatasetVersionStats } from '#models/dataset_version'
import type User from '#models/user'
import { AuditTrail } from '#app/core/audit_trail'
import { StorageService, type BucketName } from '#app/core/storage_service'
import {
  eligibilityOf,
  isIneligibleClipError,
  type Ineligible,
} from '#app/datasets/clip_eligibility'
import { clipCounts, type ClipCounts } from '#app/datasets/keypoint_count'
import {
  canonicalJson,
  manifestClip,
  manifestFiles,
  MANIFEST_KINDS,
  type DatasetManifest,
  type ManifestFile,
} from '#app/datasets/manifest'

/**
 * What a dataset action returns: its value, or a refusal by code with what its sentence names
 * (datasets/errors.ts words it: `datasetErrors.describe(result)`).
 */
export type DatasetResult<T, Refusal extends { code: string }> =
  { ok: true; value: T } | ({ ok: false } & Refusal)

/** Why a picked clip was left out of a version: not eligible, or its files are not usable. */
export type SkippedClip =
  | Ineligible
  | { code: 'E_FILES_MISSING'; title: string; unprocessed: string[] }
  | { code: 'E_KEYPOINTS_UNREADABLE'; title: string }

/** Why nothing was published. */
export type PublishRefusal =
  | { code: 'E_NOTHING_PICKED' }
  | { code: 'E_NO_SPORT' }
  | { code: 'E_NOTHING_PUBLISHABLE'; clipRefusals: SkippedClip[] }
  | { code: 'E_CHANGED_WHILE_PUBLISHING'; clipRefusals: Ineligible[] }
  | { code: 'E_UNCHANGED'; version: number }
  | { code: 'E_REFUSED_BY_DATABASE' }

export type PublishResult = DatasetResult<
  { version: DatasetVersion; skipped: SkippedClip[]; relisted: boolean },
  PublishRefusal
>

/** The clips picked for a dataset's next version, in their order. */
export function selectedClips(dataset: Dataset) {
  return Clip.query()
    .join('dataset_clips', 'dataset_clips.clip_id', 'clips.id')
    .where('dataset_clips.dataset_id', dataset.id)
    .orderBy('dataset_clips.position')
    .select('clips.*')
}

/**
 * Publication of a dataset's selection as an immutable version: the clip list, the manifest
 * with every file's sha256 and size (manifest.ts), the stats, and the catalog columns of
 * `datasets`, in one transaction.
 */
@inject()
export class DatasetPublisher {
  constructor(protected storage: StorageService) {}

  /**
   * Publishes the selection as the next version. Clips that cannot enter it (not approved,
   * withdrawn, or consent that does not cover the licence type) or lack processed files are
   * left out, dropped from the selection, and named in `skipped`; with nothing left, nothing
   * is published. A version identical to the latest one (same clips, price and licence) is
   * refused, unless the dataset was unpublished: then it is listed again as it was (audited).
   * One transaction: version, its clips, the dataset's catalog columns.
   */
  async publish(
    dataset: Dataset,
    actor: User | null = null,
    ip: string | null = null
  ): Promise<PublishResult> {
    const selection = await selectedClips(dataset).preload('assets')
    if (selection.length === 0) return { ok: false, code: 'E_NOTHING_PICKED' }
    if (dataset.sport === null && !dataset.curated) return { ok: false, code: 'E_NO_SPORT' }

    const skipped: { clip: Clip; refusal: SkippedClip }[] = []
    const usable: {
      clip: Clip
      files: ManifestFile[]
      people: number
      keypointFrames: number
      durationMs: number
    }[] = []
    const eligibility = await eligibilityOf(selection, dataset.licenceType)
    for (const clip of selection) {
      const refusal = eligibility.get(clip.id)!.refusal
      if (refusal) {
        skipped.push({ clip, refusal })
        continue
      }
      const missing = MANIFEST_KINDS.filter(
        (kind) => !clip.assets.some((asset) => asset.kind === kind)
      )
      if (missing.length) {
        skipped.push({
          clip,
          refusal: { code: 'E_FILES_MISSING', title: clip.title, unprocessed: missing },
        })
        continue
      }
      let counts: ClipCounts
      try {
        const keypoints = clip.assets.find((item) => item.kind === 'keypoints')!
        counts = await clipCounts(
          clip,
          async () =>
            (await this.storage.getStream(
              keypoints.bucket as BucketName,
              keypoints.key
            )) as AsyncIterable<Buffer>
        )
      } catch (error) {
        logger.warn({ err: error, clipId: clip.id }, 'keypoints.json unreadable at publication')
        skipped.push({ clip, refusal: { code: 'E_KEYPOINTS_UNREADABLE', title: clip.title } })
        continue
      }
      usable.push({ clip, ...counts, files: manifestFiles(clip.id, clip.assets) })
    }
    if (usable.length === 0) {
      return {
        ok: false,
        code: 'E_NOTHING_PUBLISHABLE',
        clipRefusals: skipped.map((item) => item.refusal),
      }
    }

    const manifest: DatasetManifest = canonicalJson({
      format: 1 as const,
      clips: usable.map(({ clip, files, durationMs }, position) =>
        manifestClip(clip, position, durationMs, files)
      ),
    })
    const stats: DatasetVersionStats = {
      clips: usable.length,
      duration_ms: usable.reduce((sum, item) => sum + item.durationMs, 0),
      people: usable.reduce((sum, item) => sum + item.people, 0),
      keypoint_frames: usable.reduce((sum, item) => sum + item.keypointFrames, 0),
    }

    try {
      return await db.transaction(async (trx) => {
        const locked = await Dataset.query({ client: trx })
          .where('id', dataset.id)
          .forUpdate()
          .firstOrFail()
        // Statuses and consent may have changed while the files were read: look again under a lock.
        await Clip.query({ client: trx })
          .whereIn(
            'id',
            usable.map((item) => item.clip.id)
          )
          .forShare()
        const now = await eligibilityOf(
          usable.map((item) => item.clip),
          locked.licenceType,
          trx
        )
        const changed = [...now.values()]
          .map((item) => item.refusal)
          .filter((refusal): refusal is Ineligible => refusal !== null)
        if (changed.length)
          return {
            ok: false as const,
            code: 'E_CHANGED_WHILE_PUBLISHING' as const,
            clipRefusals: changed,
          }

        const latest = await DatasetVersion.query({ client: trx })
          .where('dataset_id', locked.id)
          .orderBy('version', 'desc')
          .first()
        // The version's clip rows are the truth (a version held for consent may hold more than its manifest says).
        const latestRows = latest
          ? await trx
              .from('dataset_version_clips')
              .where('dataset_version_id', latest.id)
              .orderBy('position')
              .select('clip_id')
          : []
        const latestIds: string[] = latestRows.map((row) => row.clip_id)
        if (latest && sameAs(latest, latestIds, manifest, locked)) {
          if (locked.status === 'archived') {
            await listVersion(
              trx,
              locked,
              latest,
              usable.map((item) => item.clip)
            )
            await new AuditTrail().record(
              {
                actorId: actor?.id ?? null,
                action: 'dataset.relisted',
                subject: { type: 'dataset', id: locked.id },
                meta: { version: latest.version },
                ip,
              },
              trx
            )
            return {
              ok: true as const,
              value: {
                version: latest,
                skipped: skipped.map((item) => item.refusal),
                relisted: true,
              },
            }
          }
          return { ok: false as const, code: 'E_UNCHANGED' as const, version: latest.version }
        }
        const json = JSON.stringify(manifest)
        const version = await DatasetVersion.create(
          {
            datasetId: locked.id,
            version: (latest?.version ?? 0) + 1,
            manifest: manifest as unknown as Record<string, unknown>,
            manifestSha256: createHash('sha256').update(json).digest('hex'),
            stats,
            priceCents: locked.priceCents,
            currency: locked.currency,
            licenceType: locked.licenceType,
          },
          { client: trx }
        )
        await trx
          .insertQuery()
          .table('dataset_version_clips')
          .multiInsert(
            manifest.clips.map((clip) => ({
              dataset_version_id: version.id,
              clip_id: clip.id,
              position: clip.position,
              seconds: clip.seconds,
            }))
          )
        if (skipped.length) {
          await trx
            .from('dataset_clips')
            .where('dataset_id', locked.id)
            .whereIn(
              'clip_id',
              skipped.map((item) => item.clip.id)
            )
            .delete()
        }
        await listVersion(
          trx,
          locked,
          version,
          usable.map((item) => item.clip)
        )
        logger.info(
          { datasetId: locked.id, version: version.version, clips: stats.clips },
          'dataset version published'
        )
        return {
          ok: true as const,
          value: { version, skipped: skipped.map((item) => item.refusal), relisted: false },
        }
      })
    } catch (error) {
      // The database refuses a clip that may not enter this version (migration 0017).
      if (isIneligibleClipError(error)) {
        return { ok: false, code: 'E_REFUSED_BY_DATABASE' }
      }
      throw error
    }
  }
}

function sameAs(
  latest: DatasetVersion,
  ids: string[],
  manifest: DatasetManifest,
  dataset: Dataset
) {
  return (
    latest.priceCents === dataset.priceCents &&
    latest.licenceType === dataset.licenceType &&
    latest.currency === dataset.currency &&
    ids.length === manifest.clips.length &&
    ids.every((id, index) => manifest.clips[index].id === id)
  )
}

/**
 * Lists a just-published version in the catalog: the dataset becomes `published` and its
 * filter and sort columns are copied from the version and its clips (first clip = cover).
 * Runs inside the publishing transaction (the demo seeder calls it too).
 */
export async function listVersion(
  trx: TransactionClientContract,
  dataset: Dataset,
  version: DatasetVersion,
  clips: Clip[]
) {
  const unique = (values: (string | null)[]) =>
    [...new Set(values.filter((value): value is string => !!value))].sort()
  dataset.useTransaction(trx)
  dataset.merge({
    status: 'published',
    latestVersionId: version.id,
    coverClipId: clips[0]?.id ?? null,
    publishedAt: DateTime.now(),
    listedPriceCents: version.priceCents,
    listedLicenceType: version.licenceType,
    clipCount: version.stats.clips,
    durationMs: version.stats.duration_ms,
    sports: unique(clips.map((clip) => clip.sport)),
    activities: unique(clips.map((clip) => clip.activity)),
    skillLevels: unique(clips.map((clip) => clip.skillLevel)),
    cameraAngles: unique(clips.map((clip) => clip.cameraAngle)),
  })
  await dataset.save()
}
