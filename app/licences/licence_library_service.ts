import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Download, { type DownloadKind } from '#models/download'
import Licence from '#models/licence'
import type LicenceText from '#models/licence_text'
import type User from '#models/user'
import { formatBytes } from '#app/core/format'
import { UNDELIVERED, DatasetExportService, type ExportPlan } from '#app/datasets/public'
import { StorageService } from '#app/core/storage_service'

/** Presigned links in a manifest live this long; a fresh request gives fresh links. */
export const MANIFEST_URL_TTL_SECONDS = 15 * 60

const SOURCE_LABELS: Record<Licence['source'], string> = {
  purchase: 'Purchased',
  free: 'Claimed (free)',
  grant: 'Granted by an admin',
}

const TYPE_LABELS: Record<Licence['licenceType'], string> = {
  research: 'Research',
  commercial: 'Commercial',
}

export interface LicenceRow {
  licence: Licence
  datasetTitle: string
  datasetSlug: string
  version: number
  sourceLabel: string
  typeLabel: string
  withdrawnClips: number
}

/** Who downloads and from where, for the downloads log. */
export interface Requester {
  user: User
  ip: string | null
  userAgent: string | null
}

/**
 * A buyer's licences as their pages show them, the manifest of presigned links and the
 * downloads log. Issuing and revoking licences is LicenceIssuer's business.
 */
@inject()
export class LicenceLibraryService {
  constructor(
    protected storage: StorageService,
    protected exports: DatasetExportService
  ) {}

  /** The buyer's licences, newest first, with how many of each version's clips were withdrawn since. */
  async listFor(buyer: User): Promise<LicenceRow[]> {
    const licences = await Licence.query()
      .where('buyer_id', buyer.id)
      .preload('datasetVersion', (query) => query.preload('dataset'))
      .preload('licenceText')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
    const versionIds = [...new Set(licences.map((licence) => licence.datasetVersionId))]
    const withdrawn = new Map<string, number>()
    if (versionIds.length) {
      const rows: { dataset_version_id: string; count: string }[] = await db
        .from('dataset_version_clips')
        .join('dataset_versions', 'dataset_versions.id', 'dataset_version_clips.dataset_version_id')
        .whereIn('dataset_version_clips.dataset_version_id', versionIds)
        .whereRaw(
          'clip_licensing_problem(dataset_version_clips.clip_id, dataset_versions.licence_type) = ANY (?::text[])',
          [[...UNDELIVERED]] as any
        )
        .groupBy('dataset_version_clips.dataset_version_id')
        .select('dataset_version_clips.dataset_version_id')
        .count('* as count')
      for (const row of rows) withdrawn.set(row.dataset_version_id, Number(row.count))
    }
    return licences.map((licence) => ({
      licence,
      datasetTitle: licence.datasetVersion.dataset.title,
      datasetSlug: licence.datasetVersion.dataset.slug,
      version: licence.datasetVersion.version,
      sourceLabel: SOURCE_LABELS[licence.source],
      typeLabel: TYPE_LABELS[licence.licenceType],
      withdrawnClips: withdrawn.get(licence.datasetVersionId) ?? 0,
    }))
  }

  /** The licence behind a URL; a 404 when it does not exist (the route only admits UUIDs). */
  find(id: string) {
    return Licence.findOrFail(id)
  }

  /** Everything the licence page shows. */
  async detail(licence: Licence) {
    const plan = await this.exports.plan(licence)
    const files = this.exports.files(plan)
    return {
      licence,
      dataset: plan.dataset,
      version: plan.version,
      sourceLabel: SOURCE_LABELS[licence.source],
      typeLabel: TYPE_LABELS[licence.licenceType],
      // The text this licence cites, not the current one: what the buyer agreed to.
      terms: plan.terms,
      files: files.map((file) => ({
        path: file.path,
        kind: file.kind,
        size: formatBytes(file.bytes),
        sha256: file.sha256,
      })),
      totalSize: formatBytes(files.reduce((sum, file) => sum + file.bytes, 0)),
      clipCount: plan.clips.length,
      withdrawn: plan.withdrawn,
      downloadCount: await this.#downloadCount(licence),
    }
  }

  /**
   * The version's files with a presigned GET link each, valid for MANIFEST_URL_TTL_SECONDS
   * from now. Withdrawn clips are listed apart, without links.
   */
  async manifest(licence: Licence, ttlSeconds = MANIFEST_URL_TTL_SECONDS) {
    const plan = await this.exports.plan(licence)
    const expiresAt = DateTime.utc().plus({ seconds: ttlSeconds })
    const files = await Promise.all(
      this.exports.files(plan).map(async (file) => ({
        path: file.path,
        kind: file.kind,
        bytes: file.bytes,
        sha256: file.sha256,
        url: await this.storage.presignedGet(
          file.bucket,
          file.key,
          ttlSeconds,
          file.path.split('/').pop()
        ),
      }))
    )
    return {
      licence: {
        id: licence.id,
        type: licence.licenceType,
        terms: termsOf(plan.terms, { body: true }),
      },
      dataset: { title: plan.dataset.title, slug: plan.dataset.slug },
      version: {
        id: plan.version.id,
        number: plan.version.version,
        manifest_sha256: plan.version.manifestSha256,
      },
      expires_at: expiresAt.toISO(),
      ttl_seconds: ttlSeconds,
      files,
      withdrawn: plan.withdrawn.map((clip) => ({
        clip_id: clip.id,
        title: clip.title,
        withdrawn_at: clip.withdrawnAt?.toISO() ?? null,
        delete_paths: clip.paths,
      })),
    }
  }

  /** The plan a ZIP is built from (the controller streams `zip(plan)`). */
  plan(licence: Licence): Promise<ExportPlan> {
    return this.exports.plan(licence)
  }

  /** `<slug>-v<n>.zip` */
  archiveName(plan: ExportPlan) {
    return this.exports.archiveName(plan)
  }

  /** The ZIP stream; it aborts (and logs why) when an object is missing or does not match. */
  zip(plan: ExportPlan) {
    return this.exports.zip(plan)
  }

  async #downloadCount(licence: Licence) {
    const [row] = await db.from('downloads').where('licence_id', licence.id).count('* as total')
    return Number(row.total)
  }

  /** One row in `downloads` per delivery: the manifest, or a ZIP as it starts. */
  async logDownload(licence: Licence, kind: DownloadKind, requester: Requester) {
    const download = await Download.create({
      licenceId: licence.id,
      userId: requester.user.id,
      kind,
      ip: requester.ip,
      userAgent: requester.userAgent?.slice(0, 1000) ?? null,
    })
    logger.info(
      { licenceId: licence.id, userId: requester.user.id, kind, downloadId: download.id },
      'licence download'
    )
    return download
  }
}

/** The licence text a licence cites, as the API and manifests give it; the body on request. */
export function termsOf(text: LicenceText, options: { body?: boolean } = {}) {
  return {
    version: text.version,
    sha256: text.sha256,
    title: text.title,
    ...(options.body ? { body: text.body } : {}),
  }
}
