import { inject } from '@adonisjs/core'
import { SKILL_LEVELS } from '#models/clip'
import type Dataset from '#models/dataset'
import type DatasetVersion from '#models/dataset_version'
import type User from '#models/user'
import { SettingsStore } from '#app/core/settings_store'
import { StorageService, type BucketName } from '#app/core/storage_service'
import { catalogCards } from '#app/catalog/catalog_cards'
import {
  PREVIEW_TTL_SECONDS,
  cachedFacets,
  cachedResults,
  clearCatalogCaches,
  rememberFacets,
  signedOnce,
} from '#app/catalog/catalog_caches'
import { filtersQueryString, parseFilters, type CatalogFilters } from '#app/catalog/catalog_filters'
import { catalogRows, publishedFacets } from '#app/catalog/catalog_query'
import { DatasetPage } from '#app/catalog/dataset_page'

export { type CatalogCard } from '#app/catalog/catalog_cards'
export { CATALOG_SORTS, type CatalogFilters, type CatalogSort } from '#app/catalog/catalog_filters'
export { CATALOG_PAGE_SIZE } from '#app/catalog/catalog_query'
// Tests count the sample's storage reads here.
export { sampleMetadataReads } from '#app/catalog/catalog_caches'

/**
 * The public catalog: filters (catalog_filters.ts), the query and its keyset pagination
 * (catalog_query.ts), the cards (catalog_cards.ts), the caches (catalog_caches.ts) and the
 * dataset page (dataset_page.ts), behind the one service its controllers and the API use.
 */
@inject()
export class CatalogService {
  constructor(
    protected settings: SettingsStore,
    protected storage: StorageService,
    protected datasetPage: DatasetPage
  ) {}

  /**
   * Reads the filters from a query string. Bad values are left out and explained in `errors`,
   * so a mistyped shared link still shows a catalog.
   */
  parseFilters(query: Record<string, unknown>) {
    return parseFilters(query)
  }

  /** The query string of the filters (no cursor): what the URL keeps and the pager extends. */
  queryString(filters: CatalogFilters, after?: string | null) {
    return filtersQueryString(filters, after)
  }

  /** One page of cards after `cursor` (an opaque token from the previous page), and the next token. */
  async page(filters: CatalogFilters, cursor?: string | null) {
    const { rows, next } = await catalogRows(filters, cursor)
    return { cards: await catalogCards(rows, (bucket, key) => this.#signed(bucket, key)), next }
  }

  /** Options of the filter form: the instance's sports, and what published datasets contain. */
  async facets() {
    const { sports, currency } = await this.settings.all()
    let value = cachedFacets()
    if (!value) {
      value = await publishedFacets()
      rememberFacets(value)
    }
    return { sports, currency, skills: SKILL_LEVELS, ...value }
  }

  /** The rendered results for one canonical query, from a cache of a few seconds (catalog_caches.ts). */
  results(
    key: string,
    render: () => Promise<{ html: string; cacheable: boolean }>
  ): Promise<string> {
    return cachedResults(key, render)
  }

  /** Forget cached filter options and results (after a publication, and in tests). */
  static clearCache() {
    clearCatalogCaches()
  }

  /** A presigned GET of a preview-bucket object, from the cache while it has half its life left. */
  #signed(bucket: BucketName, key: string) {
    return signedOnce(`${bucket}/${key}`, () =>
      this.storage.presignedGet(bucket, key, PREVIEW_TTL_SECONDS)
    )
  }

  /** A published dataset by its slug, with its latest version; a 404 for drafts and unknown slugs. */
  findPublished(slug: string) {
    return this.datasetPage.findPublished(slug)
  }

  /** The sample clip of a version (dataset_page.ts), or null. */
  sample(version: DatasetVersion) {
    return this.datasetPage.sample(version)
  }

  /** The sample clip's keypoints.json as a stream, or null when the version has no sample. */
  sampleKeypoints(version: DatasetVersion) {
    return this.datasetPage.sampleKeypoints(version)
  }

  /** A presigned URL of the sample clip's preview video, or null. */
  samplePreviewUrl(version: DatasetVersion) {
    return this.datasetPage.samplePreviewUrl(version)
  }

  /** Everything the dataset page shows: the card, the sample, the price and the buyer's options. */
  detail(dataset: Dataset, version: DatasetVersion, user: User | null) {
    return this.datasetPage.detail(dataset, version, user)
  }
}
