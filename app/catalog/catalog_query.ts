import db from '@adonisjs/lucid/services/db'
import { SORTS, type CatalogFilters } from '#app/catalog/catalog_filters'
import { CURSOR_SHAPES, decodeCursor, encodeCursor } from '#app/catalog/catalog_cursor'

export const CATALOG_PAGE_SIZE = 24

/**
 * One page of published datasets after `cursor` (an opaque token from the previous page), and
 * the next token: filters, full-text search (the generated `datasets.search` tsvector with its
 * GIN index), the sort and keyset pagination. The rows carry the catalog columns `datasets`
 * holds for this (refreshed at publication), so a page reads no version or clip.
 */
export async function catalogRows(filters: CatalogFilters, cursor?: string | null) {
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
  if (filters.price_min !== undefined)
    query.where('listed_price_cents', '>=', Math.round(filters.price_min * 100))
  if (filters.price_max !== undefined)
    query.where('listed_price_cents', '<=', Math.round(filters.price_max * 100))
  if (filters.clips_min !== undefined) query.where('clip_count', '>=', Math.ceil(filters.clips_min))
  if (filters.clips_max !== undefined)
    query.where('clip_count', '<=', Math.floor(filters.clips_max))
  if (filters.minutes_min !== undefined)
    query.where('duration_ms', '>=', Math.round(filters.minutes_min * 60_000))
  if (filters.minutes_max !== undefined)
    query.where('duration_ms', '<=', Math.round(filters.minutes_max * 60_000))

  const cast = sort.column === 'published_at' ? 'timestamptz' : 'integer'
  const position = decodeCursor(cursor, CURSOR_SHAPES[cast])
  if (position) {
    const op = sort.direction === 'desc' ? '<' : '>'
    query.whereRaw(`(${sort.column}, id) ${op} (?::${cast}, ?::uuid)`, [position[0], position[1]])
  }
  query
    .orderBy(sort.column, sort.direction)
    .orderBy('id', sort.direction)
    .limit(CATALOG_PAGE_SIZE + 1)

  const rows: Record<string, any>[] = await query
  const more = rows.length > CATALOG_PAGE_SIZE
  const pageRows = rows.slice(0, CATALOG_PAGE_SIZE)
  const last = pageRows.at(-1)
  return { rows: pageRows, next: more && last ? encodeCursor([last.sort_key, last.id]) : null }
}

/** What published datasets contain, for the filter form's options (up to 200 of each). */
export async function publishedFacets() {
  const distinct = async (column: string) => {
    const result = await db.rawQuery(
      `SELECT DISTINCT value FROM datasets, unnest(${column}) AS value WHERE status = 'published' ORDER BY value LIMIT 200`
    )
    return (result.rows as { value: string }[]).map((row) => row.value)
  }
  return { activities: await distinct('activities'), angles: await distinct('camera_angles') }
}
