import db from '@adonisjs/lucid/services/db'
import type { LicenceType } from '#models/dataset'
import { formatLength, formatPrice } from '#app/core/format'
import type { BucketName } from '#app/core/storage_service'

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

/**
 * The catalog's cards from its query's rows, each with its cover clip's thumbnail and preview
 * signed by `sign`. Withdrawn clips (whole or for licensing) are never shown, even as the
 * cover of a version that still holds them.
 */
export async function catalogCards(
  rows: Record<string, any>[],
  sign: (bucket: BucketName, key: string) => Promise<string>
): Promise<CatalogCard[]> {
  const covers = rows.map((row) => row.cover_clip_id).filter(Boolean) as string[]
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
    return asset ? sign(asset.bucket as BucketName, asset.key) : null
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
