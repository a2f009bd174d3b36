import { LICENCE_TYPES, type LicenceType } from '#models/dataset'

/*
 * The catalog's query string, read by hand rather than by a validator: a bad value is left out
 * and explained, never a 422, so a mistyped shared link still shows a catalog.
 */

/** Sort orders: the key columns (both in the same direction) keyset pagination walks. */
export const SORTS = {
  newest: {
    label: 'Newest',
    column: 'published_at',
    cursor: 'published_at::text',
    direction: 'desc',
  },
  price_asc: {
    label: 'Price: low to high',
    column: 'listed_price_cents',
    cursor: 'listed_price_cents::text',
    direction: 'asc',
  },
  price_desc: {
    label: 'Price: high to low',
    column: 'listed_price_cents',
    cursor: 'listed_price_cents::text',
    direction: 'desc',
  },
  clips: {
    label: 'Most clips',
    column: 'clip_count',
    cursor: 'clip_count::text',
    direction: 'desc',
  },
} as const
export type CatalogSort = keyof typeof SORTS
export const CATALOG_SORTS = Object.entries(SORTS).map(([value, sort]) => ({
  value,
  label: sort.label,
}))

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

const NUMBER_FILTERS = [
  'price_min',
  'price_max',
  'clips_min',
  'clips_max',
  'minutes_min',
  'minutes_max',
] as const
const TEXT_FILTERS = ['q', 'sport', 'activity', 'skill', 'angle'] as const
const NUMBER_LABELS: Record<(typeof NUMBER_FILTERS)[number], string> = {
  price_min: 'Lowest price',
  price_max: 'Highest price',
  clips_min: 'Fewest clips',
  clips_max: 'Most clips',
  minutes_min: 'Shortest duration',
  minutes_max: 'Longest duration',
}

/** Reads the filters from a query string. Bad values are left out and explained in `errors`. */
export function parseFilters(query: Record<string, unknown>) {
  const errors: string[] = []
  const filters: CatalogFilters = { sort: 'newest' }
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')
  for (const name of TEXT_FILTERS) {
    const value = text(query[name])
    if (value) filters[name] = value.slice(0, 200)
  }
  const licence = text(query.licence)
  if (licence) {
    if ((LICENCE_TYPES as readonly string[]).includes(licence))
      filters.licence = licence as LicenceType
    else errors.push('Licence must be research or commercial.')
  }
  for (const name of NUMBER_FILTERS) {
    const raw = text(query[name])
    if (!raw) continue
    const value = Number(raw)
    if (!Number.isFinite(value) || value < 0 || value > 1e7)
      errors.push(`${NUMBER_LABELS[name]} must be a number, 0 or more.`)
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
export function filtersQueryString(filters: CatalogFilters, after?: string | null) {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined || value === '' || (name === 'sort' && value === 'newest')) continue
    params.set(name, String(value))
  }
  if (after) params.set('after', after)
  return params.toString()
}
