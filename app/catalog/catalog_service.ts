import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { undeliveredClipIds, saleStatus, type DatasetManifest } from '#app/datasets/public'
import { SKILL_LEVELS } from '#models/clip'
import ClipAsset from '#models/clip_asset'
import Dataset, { LICENCE_TYPES, type LicenceType } from '#models/dataset'
import DatasetVersion from '#models/dataset_version'
import Licence from '#models/licence'
import ProcessingRun from '#models/processing_run'
import type User from '#models/user'
import { LicenceTextService } from '#app/licences/public'
import { SettingsStore } from '#app/core/settings_store'
import { StorageService, type BucketName } from '#app/core/storage_service'
import { paymentsConfigured } from '#config/stripe'

export const CATALOG_PAGE_SIZE = 24

/** Sort orders: the key columns (both in the same direction) keyset pagination walks. */
const SORTS = {
  newest: { label: 'Newest', column: 'published_at', cursor: 'published_at::text', direction: 'desc' },
  price_asc: { label: 'Price: low to high', column: 'listed_price_cents', cursor: 'listed_price_cents::text', direction: 'asc' },
  price_desc: { label: 'Price: high to low', column: 'listed_price_cents', cursor: 'listed_price_cents::text', direction: 'desc' },
  clips: { label: 'Most clips', column: 'clip_count', cursor: 'clip_count::text', direction: 'desc' },
} as const
export type CatalogSort = keyof typeof SORTS
export const CATALOG_SORTS = Object.entries(SORTS).map(([value, sort]) => ({ value, label: sort.label }))

export interface CatalogFilters {
  q?: string
  sport?: string
  activity?: string
  skill?: string
  angle?: string
  licence?: LicenceType
  price_min?: number
  price_max?: number
  clips_min?: number
  clips_max?: number
  minutes_min?: number
  minutes_max?: number
  sort: CatalogSort
}

const NUMBER_FILTERS = ['price_min', 'price_max', 'clips_min', 'clips_max', 'minutes_min', 'minutes_max'] as const
const TEXT_FILTERS = ['q', 'sport', 'activity', 'skill', 'angle'] as const
const NUMBER_LABELS: Record<(typeof NUMBER_FILTERS)[number], string> = {
  price_min: 'Lowest price',
  price_max: 'Highest price',
  clips_min: 'Fewest clips',
  clips_max: 'Most clips',
  minutes_min: 'Shortest duration',
  minutes_max: 'Longest duration',
}

export interface CatalogCard {
  id: string
  slug: string
  title: string
  sports: string[]
  activities: string[]
  priceCents: number
  /** "Free" or "$24.99". */
  priceLabel: string
  currency: string
  licenceType: LicenceType
  clipCount: number
  durationMs: number
  durationLabel: string
  thumbnailUrl: string | null
  previewUrl: string | null
}

/** Thumbnails and previews are public teasers (watermarked); a short lifetime still limits sharing. */
const PREVIEW_TTL_SECONDS = 10 * 60
/** Filter options from published datasets change only at publication: a short cache spares a scan per page. */
const FACETS_TTL_MS = 30_000

/**
 * Signed preview and thumbnail URLs, reused while they have at least half their life left:
 * signing is the most expensive part of a catalog page (two per card), and these teasers are
 * the same for every visitor. Bounded; the oldest entries go first.
 */
const SIGNED_CACHE_MAX = 20_000
const signedCache = new Map<string, { url: string; until: number }>()

/** "$24.99" per currency; building an Intl.NumberFormat costs more than using one. */
const moneyFormats = new Map<string, Intl.NumberFormat>()
export function formatPrice(cents: number, currency: string) {
  if (cents === 0) return 'Free'
  let format = moneyFormats.get(currency)
  if (!format) {
    format = new Intl.NumberFormat('en', { style: 'currency', currency })
    moneyFormats.set(currency, format)
  }
  return format.format(cents / 100)
}

/**
 * Rendered result fragments by canonical query. Short-lived: the presigned thumbnail URLs in
 * them live PREVIEW_TTL_SECONDS, and another process's publication is seen within the TTL.
 */
const resultsCache = new Map<string, { html: string; at: number }>()
const RESULTS_TTL_MS = 5_000
const RESULTS_CACHE_MAX = 500
/** A copy older than this is never served, even while its refresh runs. */
const RESULTS_STALE_MAX_MS = 30_000
/** The render running for a key: concurrent misses wait for it instead of each querying. */
const resultsInFlight = new Map<string, Promise<string>>()
/** Bumped by clearCache(): a render that began before a publication is not cached after it. */
let resultsGeneration = 0

/**
 * Parsed sample metadata.json by clip id and file hash, so a dataset page does not fetch and
 * parse it on every anonymous request. Bounded: the least recently used entry goes first.
 */
const SAMPLE_METADATA_ENTRIES = 128
const sampleMetadataCache = new Map<string, { metadata: Record<string, any>; pretty: string }>()

function rememberSampleMetadata(key: string, value: { metadata: Record<string, any>; pretty: string }) {
  sampleMetadataCache.set(key, value)
  while (sampleMetadataCache.size > SAMPLE_METADATA_ENTRIES) sampleMetadataCache.delete(sampleMetadataCache.keys().next().value!)
}

/** Reads of sample metadata.json from storage since start (tests check the cache with it). */
export const sampleMetadataReads = { count: 0 }

/** Cached filter options (module scope: a decorated class cannot hold a static private field). */
let facetsCache: { value: { activities: string[]; angles: string[] }; at: number } | null = null

/**
 * The public catalog: filters, full-text search (the generated `datasets.search` tsvector with
 * its GIN index), sorts and keyset pagination over published datasets, and the dataset page.
 */
@inject()
export class CatalogService {
  constructor(
    protected settings: SettingsStore,
    protected storage: StorageService,
    protected licenceTexts: LicenceTextService
  ) {}

  /**
   * Reads the filters from a query string. Bad values are left out and explained in `errors`,
   * so a mistyped shared link still shows a catalog.
   */
  parseFilters(query: Record<string, unknown>) {
    const errors: string[] = []
    const filters: CatalogFilters = { sort: 'newest' }
    const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')
    for (const name of TEXT_FILTERS) {
      const value = text(query[name])
      if (value) filters[name] = value.slice(0, 200)
    }
    const licence = text(query.licence)
    if (licence) {
      if ((LICENCE_TYPES as readonly string[]).includes(licence)) filters.licence = licence as LicenceType
      else errors.push('Licence must be research or commercial.')
    }
    for (const name of NUMBER_FILTERS) {
      const raw = text(query[name])
      if (!raw) continue
      const value = Number(raw)
      if (!Number.isFinite(value) || value < 0 || value > 1e7) errors.push(`${NUMBER_LABELS[name]} must be a number, 0 or more.`)
      else filters[name] = value
    }
    const sort = text(query.sort)
    if (sort) {
      if (sort in SORTS) filters.sort = sort as CatalogSort
      else errors.push('Unknown sort order; showing the newest first.')
    }
    return { filters, errors }
  }

  /** The query string of the filters (no cursor): what the URL keeps and the pager extends. */
  queryString(filters: CatalogFilters, after?: string | null) {
    const params = new URLSearchParams()
    for (const [name, value] of Object.entries(filters)) {
      if (value === undefined || value === '' || (name === 'sort' && value === 'newest')) continue
      params.set(name, String(value))
    }
    if (after) params.set('after', after)
    return params.toString()
  }

  /** One page of cards after `cursor` (an opaque token from the previous page), and the next token. */
  async page(filters: CatalogFilters, cursor?: string | null) {
    const sort = SORTS[filters.sort]
    const query = db
      .from('datasets')
      .where('status', 'published')
      .whereNotNull('latest_version_id')
      .select(
        'id',
        'slug',
        'title',
        'sports',
        'activities',
        'listed_price_cents',
        'currency',
        'listed_licence_type',
        'clip_count',
        'duration_ms',
        'cover_clip_id',
        db.raw(`${sort.cursor} AS sort_key`)
      )
    if (filters.q) query.whereRaw(`search @@ websearch_to_tsquery('english', ?)`, [filters.q])
    if (filters.sport) query.whereRaw('sports @> ARRAY[?]::text[]', [filters.sport])
    if (filters.activity) query.whereRaw('activities @> ARRAY[?]::text[]', [filters.activity])
    if (filters.skill) query.whereRaw('skill_levels @> ARRAY[?]::text[]', [filters.skill])
    if (filters.angle) query.whereRaw('camera_angles @> ARRAY[?]::text[]', [filters.angle])
    if (filters.licence) query.where('listed_licence_type', filters.licence)
    if (filters.price_min !== undefined) query.where('listed_price_cents', '>=', Math.round(filters.price_min * 100))
    if (filters.price_max !== undefined) query.where('listed_price_cents', '<=', Math.round(filters.price_max * 100))
    if (filters.clips_min !== undefined) query.where('clip_count', '>=', Math.ceil(filters.clips_min))
    if (filters.clips_max !== undefined) query.where('clip_count', '<=', Math.floor(filters.clips_max))
    if (filters.minutes_min !== undefined) query.where('duration_ms', '>=', Math.round(filters.minutes_min * 60_000))
    if (filters.minutes_max !== undefined) query.where('duration_ms', '<=', Math.round(filters.minutes_max * 60_000))

    const cast = sort.column === 'published_at' ? 'timestamptz' : 'integer'
    const position = decodeCursor(cursor, cast === 'integer' ? /^\d{1,10}$/ : /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/)
    if (position) {
      const op = sort.direction === 'desc' ? '<' : '>'
      query.whereRaw(`(${sort.column}, id) ${op} (?::${cast}, ?::uuid)`, [position[0], position[1]])
    }
    query.orderBy(sort.column, sort.direction).orderBy('id', sort.direction).limit(CATALOG_PAGE_SIZE + 1)

    const rows = await query
    const more = rows.length > CATALOG_PAGE_SIZE
    const pageRows = rows.slice(0, CATALOG_PAGE_SIZE)
    const last = pageRows.at(-1)
    return {
      cards: await this.#cards(pageRows),
      next: more && last ? encodeCursor([last.sort_key, last.id]) : null,
    }
  }

  /** Options of the filter form: the instance's sports, and what published datasets contain. */
  async facets() {
    const { sports, currency } = await this.settings.all()
    const cached = facetsCache
    if (cached && Date.now() - cached.at < FACETS_TTL_MS) return { sports, currency, skills: SKILL_LEVELS, ...cached.value }
    const distinct = async (column: string) => {
      const result = await db.rawQuery(
        `SELECT DISTINCT value FROM datasets, unnest(${column}) AS value WHERE status = 'published' ORDER BY value LIMIT 200`
      )
      return (result.rows as { value: string }[]).map((row) => row.value)
    }
    const value = { activities: await distinct('activities'), angles: await distinct('camera_angles') }
    facetsCache = { value, at: Date.now() }
    return { sports, currency, skills: SKILL_LEVELS, ...value }
  }

  /**
   * The rendered results for one canonical query (filters, sort, cursor), from a cache of a few
   * seconds: the catalog is the page everyone opens and the same few queries repeat, while
   * its content changes only when a dataset is published (which clears the cache). `render`
   * runs on a miss, once per key however many requests miss together; when a copy expires the
   * next request refreshes it while the others still get the expired copy, so no request
   * waits on the database at each expiry. Results that carry filter errors are not kept.
   */
  async results(key: string, render: () => Promise<{ html: string; cacheable: boolean }>): Promise<string> {
    const cached = resultsCache.get(key)
    const age = cached ? Date.now() - cached.at : Infinity
    if (cached && age < RESULTS_TTL_MS) return cached.html
    let pending = resultsInFlight.get(key)
    if (!pending) {
      const generation = resultsGeneration
      pending = render()
        .then(({ html, cacheable }) => {
          if (cacheable && generation === resultsGeneration) {
            resultsCache.delete(key)
            if (resultsCache.size >= RESULTS_CACHE_MAX) resultsCache.delete(resultsCache.keys().next().value!)
            resultsCache.set(key, { html, at: Date.now() })
          }
          return html
        })
        .finally(() => resultsInFlight.delete(key))
      resultsInFlight.set(key, pending)
    }
    if (cached && age < RESULTS_STALE_MAX_MS) {
      // The refresh's failure reaches the request that waits for it, not this one.
      pending.catch(() => {})
      return cached.html
    }
    return pending
  }

  /** Forget cached filter options and results (after a publication, and in tests). */
  static clearCache() {
    facetsCache = null
    resultsCache.clear()
    resultsInFlight.clear()
    resultsGeneration++
  }

  /** A presigned GET of a preview-bucket object, from the cache while it has half its life left. */
  async #signed(bucket: BucketName, key: string) {
    const id = `${bucket}/${key}`
    const now = Date.now()
    const cached = signedCache.get(id)
    if (cached && cached.until > now) return cached.url
    const url = await this.storage.presignedGet(bucket, key, PREVIEW_TTL_SECONDS)
    if (signedCache.size >= SIGNED_CACHE_MAX) signedCache.delete(signedCache.keys().next().value!)
    signedCache.delete(id)
    signedCache.set(id, { url, until: now + (PREVIEW_TTL_SECONDS * 1000) / 2 })
    return url
  }

  async #cards(rows: Record<string, any>[]): Promise<CatalogCard[]> {
    const covers = rows.map((row) => row.cover_clip_id).filter(Boolean) as string[]
    // Withdrawn clips (whole or for licensing) are never shown, even as the cover of a version that still holds them.
    const assets: { clip_id: string; kind: string; bucket: string; key: string }[] = covers.length
      ? await db
          .from('clip_assets')
          .whereIn('clip_id', covers)
          .whereIn('kind', ['thumbnail', 'preview'])
          .whereRaw('NOT clip_licensing_withdrawn(clip_assets.clip_id)')
          .select('clip_id', 'kind', 'bucket', 'key')
      : []
    const url = async (clipId: string | null, kind: 'thumbnail' | 'preview') => {
      const asset = assets.find((item) => item.clip_id === clipId && item.kind === kind)
      return asset ? this.#signed(asset.bucket as BucketName, asset.key) : null
    }
    return Promise.all(
      rows.map(async (row) => ({
        id: row.id,
        slug: row.slug,
        title: row.title,
        sports: row.sports,
        activities: row.activities,
        priceCents: row.listed_price_cents,
        priceLabel: formatPrice(row.listed_price_cents, row.currency),
        currency: row.currency,
        licenceType: row.listed_licence_type,
        clipCount: row.clip_count,
        durationMs: Number(row.duration_ms),
        durationLabel: formatLength(Number(row.duration_ms)),
        thumbnailUrl: await url(row.cover_clip_id, 'thumbnail'),
        previewUrl: await url(row.cover_clip_id, 'preview'),
      }))
    )
  }

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
      .whereExists((sub) => sub.from('clip_assets').whereColumn('clip_assets.clip_id', 'clips.id').where('kind', 'preview'))
      .whereExists((sub) => sub.from('clip_assets').whereColumn('clip_assets.clip_id', 'clips.id').where('kind', 'keypoints'))
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
    return asset ? this.storage.presignedGet(asset.bucket as BucketName, asset.key, PREVIEW_TTL_SECONDS) : null
  }

  /** Everything the dataset page shows: the card, the sample, the price and the buyer's options. */
  async detail(dataset: Dataset, version: DatasetVersion, user: User | null) {
    const manifest = version.manifest as unknown as DatasetManifest
    const filesOf = (clip: DatasetManifest['clips'][number]) => (Array.isArray(clip.files) ? clip.files : [])
    const clipIds = manifest.clips.map((clip) => clip.id)
    const sampleId = await this.sample(version)

    let sampleMetadata: string | null = null
    let metadata: Record<string, any> | null = null
    if (sampleId) {
      const asset = await this.#asset(sampleId, 'metadata')
      if (asset) {
        // Keyed by the file's hash: a reprocessed clip's new metadata.json is a new entry.
        const cacheKey = `${sampleId}:${asset.sha256}`
        let cached = sampleMetadataCache.get(cacheKey)
        if (!cached) {
          try {
            const chunks: Buffer[] = []
            sampleMetadataReads.count++
            for await (const chunk of await this.storage.getStream(asset.bucket as BucketName, asset.key)) chunks.push(chunk as Buffer)
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'))
            cached = { metadata: parsed, pretty: JSON.stringify(parsed, null, 2) }
            rememberSampleMetadata(cacheKey, cached)
          } catch (error) {
            logger.warn({ err: error, clipId: sampleId }, 'sample metadata.json unreadable')
          }
        } else {
          // Most recently used goes last: the oldest entry is the one dropped when full.
          sampleMetadataCache.delete(cacheKey)
          sampleMetadataCache.set(cacheKey, cached)
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

    const withdrawn = (await undeliveredClipIds(clipIds, version.licenceType)).size
    const anonymization = metadata?.anonymization ? Object.values(metadata.anonymization)[0] : null
    const settings = (anonymization as { settings?: Record<string, unknown> } | null)?.settings ?? null

    return {
      dataset,
      version,
      stats: version.stats,
      durationLabel: formatLength(version.stats.duration_ms),
      sampleClipId: sampleId,
      sampleMetadata,
      card: {
        sports: [...new Set(manifest.clips.map((clip) => clip.sport))].sort(),
        activities: [...new Set(manifest.clips.map((clip) => clip.activity).filter(Boolean))].sort() as string[],
        skills: [...new Set(manifest.clips.map((clip) => clip.skill_level).filter(Boolean))].sort() as string[],
        angles: [...new Set(manifest.clips.map((clip) => clip.camera_angle).filter(Boolean))].sort() as string[],
        files: manifest.clips.reduce((sum, clip) => sum + filesOf(clip).length, 0),
        bytes: manifest.clips.reduce((sum, clip) => sum + filesOf(clip).reduce((total, file) => total + Number(file.bytes), 0), 0),
        withdrawn,
        pipeline: metadata?.pipeline ? `${metadata.pipeline.name} ${metadata.pipeline.version}` : null,
        output: metadata?.output
          ? `${metadata.output.width} × ${metadata.output.height} at ${metadata.output.fps} fps, H.264${metadata.output.audio ? '' : ', no audio'}`
          : null,
        blur: settings
          ? {
              faceThreshold: settings.faceThreshold ?? null,
              text: settings.text ?? null,
              blur: typeof settings.blur === 'string' ? settings.blur : settings.blur ? JSON.stringify(settings.blur) : null,
            }
          : null,
        models: [...models].map(([name, versions]) => ({ name, versions: [...versions].sort().join(', ') })),
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
    if (!sale?.purchasable) return { kind: 'unavailable' as const, reason: sale?.reason ?? 'This version is not for sale.' }
    if (version.priceCents === 0) return { kind: 'claim' as const }
    if (!paymentsConfigured()) return { kind: 'unconfigured' as const }
    return { kind: 'buy' as const }
  }
}

/** 45_000 → "45 s", 754_000 → "12 min 34 s", 3_960_000 → "1 h 6 min". */
export function formatLength(ms: number) {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

function encodeCursor(value: [string, string]) {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/** A cursor from the URL; anything malformed reads as "first page". */
function decodeCursor(cursor: string | null | undefined, shape: RegExp): [string, string] | null {
  if (!cursor) return null
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && uuid.test(value[1])) {
      if (!shape.test(value[0])) return null
      return [value[0], value[1]]
    }
  } catch {}
  return null
}
