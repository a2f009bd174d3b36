import { inject } from '@adonisjs/core'
import {
  undeliveredClipIds,
  saleStatuses,
  type SaleStatus,
  clipFacts,
  parseManifest,
} from '#app/datasets/public'
import DatasetVersion from '#models/dataset_version'
import Licence from '#models/licence'
import type User from '#models/user'
import { ApiError } from '#exceptions/api_error'
import {
  CatalogService,
  CATALOG_PAGE_SIZE,
  formatPrice,
  type CatalogCard,
} from '#app/catalog/public'
import { LicenceLibraryService, type Requester, termsOf } from '#app/licences/public'

const BASE = '/api/v1'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function price(cents: number, currency: string) {
  return { amount_cents: cents, currency, label: formatPrice(cents, currency) }
}

/** Whether the version can be bought or claimed now, and the sentence why not (null when it can). */
function saleFields(sale: SaleStatus | undefined) {
  return {
    purchasable: sale?.purchasable ?? false,
    not_purchasable_reason: sale ? sale.reason : 'This version is not for sale.',
  }
}

/**
 * A cursor the catalog itself handed out is base64url JSON `[sortKey, uuid]`. The web catalog
 * treats anything else as "first page" (a mistyped link still shows results); an API client
 * that sends a broken cursor is told, rather than silently looping over page one.
 */
function cursorIsReadable(cursor: string) {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    return (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      UUID.test(String(value[1]))
    )
  } catch {
    return false
  }
}

/**
 * The REST API v1's resources as JSON. Searching, dataset lookups and manifests are the
 * catalog's and the licence library's: this class only shapes what they return (snake_case,
 * cents, ISO dates, links) and never exposes a bucket or an object key.
 */
@inject()
export class ApiV1Service {
  constructor(
    protected catalog: CatalogService,
    protected library: LicenceLibraryService
  ) {}

  /** One page of the catalog: the web catalog's filters, search and keyset pagination. */
  async catalogPage(query: Record<string, unknown>) {
    const { filters, errors } = this.catalog.parseFilters(query)
    if (errors.length) throw new ApiError(422, 'validation_failed', errors.join(' '))
    const cursor = query.cursor
    if (
      cursor !== undefined &&
      (typeof cursor !== 'string' || cursor.length > 500 || !cursorIsReadable(cursor))
    ) {
      throw new ApiError(
        422,
        'validation_failed',
        'The cursor is not one this API gave out: pass next_cursor from the previous page as it is.'
      )
    }
    const { cards, next } = await this.catalog.page(filters, (cursor as string | undefined) ?? null)
    const qs = this.catalog.queryString(filters)
    return {
      data: cards.map((card) => this.#card(card)),
      page_size: CATALOG_PAGE_SIZE,
      next_cursor: next,
      links: {
        next: next
          ? `${BASE}/catalog?${qs ? `${qs}&` : ''}cursor=${encodeURIComponent(next)}`
          : null,
      },
    }
  }

  /** A published dataset, its versions and the caller's live licence for the latest one. */
  async dataset(slug: string, user: User) {
    const { dataset, version } = await this.catalog.findPublished(slug)
    const versions = await DatasetVersion.query()
      .where('dataset_id', dataset.id)
      .orderBy('version', 'desc')
    const sales = await saleStatuses(versions.map((item) => item.id))
    return {
      id: dataset.id,
      slug: dataset.slug,
      title: dataset.title,
      description: dataset.description,
      tags: dataset.tags,
      sports: dataset.sports,
      activities: dataset.activities,
      skill_levels: dataset.skillLevels,
      camera_angles: dataset.cameraAngles,
      licence_type: version.licenceType,
      price: price(version.priceCents, version.currency),
      clip_count: dataset.clipCount,
      duration_ms: dataset.durationMs,
      published_at: dataset.publishedAt?.toISO() ?? version.publishedAt.toISO(),
      latest_version: version.version,
      ...saleFields(sales.get(version.id)),
      versions: versions.map((item) => ({
        id: item.id,
        number: item.version,
        published_at: item.publishedAt.toISO(),
        licence_type: item.licenceType,
        price: price(item.priceCents, item.currency),
        clip_count: item.stats?.clips ?? 0,
        ...saleFields(sales.get(item.id)),
        links: { self: `${BASE}/datasets/${dataset.slug}/versions/${item.version}` },
      })),
      licence: await this.#heldLicence(user, version.id),
      links: { self: `${BASE}/datasets/${dataset.slug}`, page: `/catalog/${dataset.slug}` },
    }
  }

  /** One version of a published dataset: what it holds, clip by clip (metadata only). */
  async version(slug: string, number: number, user: User) {
    const { dataset } = await this.catalog.findPublished(slug)
    const version = await DatasetVersion.query()
      .where('dataset_id', dataset.id)
      .where('version', number)
      .firstOrFail()
    const clips = parseManifest(version.manifest)
    const ids = clips.map((clip) => clip.id)
    const withdrawn = await undeliveredClipIds(ids, version.licenceType)
    const statuses = await saleStatuses([version.id])
    return {
      id: version.id,
      number: version.version,
      dataset: { slug: dataset.slug, title: dataset.title },
      published_at: version.publishedAt.toISO(),
      licence_type: version.licenceType,
      price: price(version.priceCents, version.currency),
      stats: version.stats,
      manifest_sha256: version.manifestSha256,
      ...saleFields(statuses.get(version.id)),
      withdrawn_clips: withdrawn.size,
      clips: clips
        .filter((clip) => !withdrawn.has(clip.id))
        .map((clip) => ({
          id: clip.id,
          ...clipFacts(clip),
          file_count: clip.files.length,
          bytes: clip.files.reduce((sum, file) => sum + file.bytes, 0),
        })),
      licence: await this.#heldLicence(user, version.id),
      links: {
        self: `${BASE}/datasets/${dataset.slug}/versions/${version.version}`,
        dataset: `${BASE}/datasets/${dataset.slug}`,
      },
    }
  }

  /** The caller's licences, newest first, live and revoked. */
  async licences(user: User) {
    const rows = await this.library.listFor(user)
    return {
      data: rows.map((row) => ({
        id: row.licence.id,
        status: row.licence.revokedAt ? 'revoked' : 'live',
        source: row.licence.source,
        licence_type: row.licence.licenceType,
        terms: termsOf(row.licence.licenceText),
        created_at: row.licence.createdAt.toISO(),
        revoked_at: row.licence.revokedAt?.toISO() ?? null,
        revoke_reason: row.licence.revokeReason,
        dataset: { slug: row.datasetSlug, title: row.datasetTitle },
        version: { id: row.licence.datasetVersionId, number: row.version },
        withdrawn_clips: row.withdrawnClips,
        links: {
          manifest: row.licence.revokedAt ? null : `${BASE}/licences/${row.licence.id}/manifest`,
          page: `/licences/${row.licence.id}`,
        },
      })),
    }
  }

  /**
   * The caller's licence by id. Another buyer's licence reads as absent (404), so ids cannot
   * be probed; whether it may be downloaded (revoked?) is the licence policy's call.
   */
  ownLicence(user: User, id: string) {
    return Licence.query().where('id', id).where('buyer_id', user.id).firstOrFail()
  }

  /** The manifest of signed links, logged in `downloads` as an API delivery. */
  async manifest(licence: Licence, requester: Requester) {
    const manifest = await this.library.manifest(licence)
    await this.library.logDownload(licence, 'api', requester)
    return manifest
  }

  async #heldLicence(user: User, versionId: string) {
    const licence = await Licence.query()
      .where('buyer_id', user.id)
      .where('dataset_version_id', versionId)
      .whereNull('revoked_at')
      .first()
    return licence
      ? { id: licence.id, links: { manifest: `${BASE}/licences/${licence.id}/manifest` } }
      : null
  }

  #card(card: CatalogCard) {
    return {
      id: card.id,
      slug: card.slug,
      title: card.title,
      sports: card.sports,
      activities: card.activities,
      licence_type: card.licenceType,
      price: price(card.priceCents, card.currency),
      clip_count: card.clipCount,
      duration_ms: card.durationMs,
      thumbnail_url: card.thumbnailUrl,
      preview_url: card.previewUrl,
      links: { self: `${BASE}/datasets/${card.slug}` },
    }
  }
}
