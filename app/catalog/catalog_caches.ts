/*
 * The catalog's caches, in process memory (module scope: a decorated class cannot hold a
 * static private field). The catalog is the page everyone opens, and its content changes only
 * when a dataset is published, which clears the results and filter options (clearCatalogCaches).
 */

/** Thumbnails and previews are public teasers (watermarked); a short lifetime still limits sharing. */
export const PREVIEW_TTL_SECONDS = 10 * 60

/**
 * Signed preview and thumbnail URLs, reused while they have at least half their life left:
 * signing is the most expensive part of a catalog page (two per card), and these teasers are
 * the same for every visitor. Bounded; the oldest entries go first.
 */
const SIGNED_CACHE_MAX = 20_000
const signedCache = new Map<string, { url: string; until: number }>()

/** The URL signed for `id` (bucket/key) by `sign`, from the cache while it has half its life left. */
export async function signedOnce(id: string, sign: () => Promise<string>) {
  const now = Date.now()
  const cached = signedCache.get(id)
  if (cached && cached.until > now) return cached.url
  const url = await sign()
  if (signedCache.size >= SIGNED_CACHE_MAX) signedCache.delete(signedCache.keys().next().value!)
  signedCache.delete(id)
  signedCache.set(id, { url, until: now + (PREVIEW_TTL_SECONDS * 1000) / 2 })
  return url
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
/** Bumped by clearCatalogCaches(): a render that began before a publication is not cached after it. */
let resultsGeneration = 0

/**
 * The rendered results for one canonical query (filters, sort, cursor), from a cache of a few
 * seconds. `render` runs on a miss, once per key however many requests miss together; when a
 * copy expires the next request refreshes it while the others still get the expired copy, so
 * no request waits on the database at each expiry. Results that carry filter errors are not kept.
 */
export async function cachedResults(
  key: string,
  render: () => Promise<{ html: string; cacheable: boolean }>
): Promise<string> {
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
          if (resultsCache.size >= RESULTS_CACHE_MAX)
            resultsCache.delete(resultsCache.keys().next().value!)
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

/**
 * Parsed sample metadata.json by clip id and file hash, so a dataset page does not fetch and
 * parse it on every anonymous request. Bounded: the least recently used entry goes first.
 */
const SAMPLE_METADATA_ENTRIES = 128
type SampleMetadata = { metadata: Record<string, any>; pretty: string }
const sampleMetadataCache = new Map<string, SampleMetadata>()

/** Reads of sample metadata.json from storage since start (tests check the cache with it). */
export const sampleMetadataReads = { count: 0 }

export function recallSampleMetadata(key: string) {
  const cached = sampleMetadataCache.get(key)
  if (cached) {
    // Most recently used goes last: the oldest entry is the one dropped when full.
    sampleMetadataCache.delete(key)
    sampleMetadataCache.set(key, cached)
  }
  return cached
}

export function rememberSampleMetadata(key: string, value: SampleMetadata) {
  sampleMetadataCache.set(key, value)
  while (sampleMetadataCache.size > SAMPLE_METADATA_ENTRIES)
    sampleMetadataCache.delete(sampleMetadataCache.keys().next().value!)
}

/** Filter options from published datasets change only at publication: a short cache spares a scan per page. */
const FACETS_TTL_MS = 30_000
type Facets = { activities: string[]; angles: string[] }
let facetsCache: { value: Facets; at: number } | null = null

/** The cached filter options, or null when absent or older than FACETS_TTL_MS. */
export function cachedFacets() {
  return facetsCache && Date.now() - facetsCache.at < FACETS_TTL_MS ? facetsCache.value : null
}

export function rememberFacets(value: Facets) {
  facetsCache = { value, at: Date.now() }
}

/** Forget cached filter options and results (after a publication, and in tests). */
export function clearCatalogCaches() {
  facetsCache = null
  resultsCache.clear()
  resultsInFlight.clear()
  resultsGeneration++
}
