import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import { DateTime } from 'luxon'
import Clip from '#models/clip'
import { CLIP_STATUS_LABELS, formatDuration } from '#app/clips/public'
import { StorageService } from '#app/core/storage_service'
import { refusal } from '#app/moderation/moderation_decisions'
import { consentSummary, riskSummary, type RiskSummary } from '#app/moderation/review_presenters'

/** The statuses the queue lists: what waits for review, and past decisions to revisit. */
export const QUEUE_STATUSES = ['processed', 'approved', 'rejected'] as const
export type QueueStatus = (typeof QUEUE_STATUSES)[number]

/** The queue's orders: its usual one (see sortKey), or the highest privacy risk score first. */
export const QUEUE_SORTS = ['usual', 'risk'] as const
export type QueueSort = (typeof QUEUE_SORTS)[number]

export interface QueueFilters {
  status: QueueStatus
  sport?: string
  activity?: string
  /** Part of the creator's e-mail or name. */
  creator?: string
  /** Uploaded on or after / on or before, `YYYY-MM-DD`. */
  from?: string
  to?: string
  /** Absent: the usual order. */
  sort?: QueueSort
  page: number
}

export const QUEUE_PAGE_SIZE = 20
/** Thumbnails show at once; a short lifetime keeps a leaked URL nearly worthless. */
const THUMBNAIL_TTL_SECONDS = 5 * 60

export interface QueueRow {
  clip: Clip
  statusLabel: string
  creator: { name: string; email: string }
  duration: string
  thumbnailUrl: string | null
  consent: string
  risk: RiskSummary
  reviewable: { approve: boolean; reject: boolean }
}

/** Reasons a queue row shows; the review page shows them all. */
const ROW_REASONS = 2

/** The admin moderation queue: which processed clips wait for review, filtered and in review order. */
@inject()
export class ReviewQueue {
  constructor(protected storage: StorageService) {}

  /** One page of the queue for the filters, in review order. */
  async queue(filters: QueueFilters) {
    const query = this.#filtered(filters)
      .preload('user')
      .preload('consentRecord')
      .preload('assets', (assets) => assets.where('kind', 'thumbnail'))
    const page = await ordered(query, filters).paginate(filters.page, QUEUE_PAGE_SIZE)
    const rows = await Promise.all(page.all().map((clip) => this.#row(clip)))
    return {
      rows,
      page: page.getMeta() as {
        total: number
        currentPage: number
        lastPage: number
        perPage: number
      },
    }
  }

  /** The sports and activities offered as filters: those of clips that reached review. */
  async filterOptions() {
    const rows = await db
      .from('clips')
      .whereIn('status', [...QUEUE_STATUSES])
      .select('sport', 'activity')
      .groupBy('sport', 'activity')
      .orderBy('sport')
      .orderBy('activity')
    return {
      sports: [...new Set(rows.map((row) => row.sport as string))],
      activities: [
        ...new Set(
          rows
            .map((row) => row.activity as string | null)
            .filter((value): value is string => !!value)
        ),
      ].sort(),
    }
  }

  /**
   * The clip before or after this one in the queue's order, with the queue's filters. Works for
   * a clip just decided (no longer in the list): its place in the order is its own timestamps.
   */
  async neighbour(clipId: string, filters: QueueFilters, direction: 'previous' | 'next') {
    const { key, descending } = sortKey(filters)
    const after = (direction === 'next') !== descending
    const found = await this.#filtered(filters)
      .whereNot('clips.id', clipId)
      .whereRaw(
        `(${key}, clips.id) ${after ? '>' : '<'} (select ${key.replaceAll('clips.', 'c.')}, c.id from clips c where c.id = ?)`,
        [clipId]
      )
      .orderByRaw(`${key} ${after ? 'asc' : 'desc'}, clips.id ${after ? 'asc' : 'desc'}`)
      .select('clips.id')
      .first()
    return found?.id ?? null
  }

  #filtered(filters: QueueFilters) {
    const query = Clip.query().where('clips.status', filters.status)
    if (filters.sport) query.where('clips.sport', filters.sport)
    if (filters.activity) query.whereILike('clips.activity', `%${escapeLike(filters.activity)}%`)
    if (filters.creator) {
      const term = `%${escapeLike(filters.creator)}%`
      query.whereHas('user', (user) =>
        user.whereILike('email', term).orWhereILike('full_name', term)
      )
    }
    if (filters.from)
      query.where(
        'clips.created_at',
        '>=',
        DateTime.fromISO(filters.from).startOf('day').toJSDate()
      )
    if (filters.to)
      query.where(
        'clips.created_at',
        '<',
        DateTime.fromISO(filters.to).plus({ days: 1 }).startOf('day').toJSDate()
      )
    return query
  }

  async #row(clip: Clip): Promise<QueueRow> {
    const thumbnail = clip.assets.find((asset) => asset.kind === 'thumbnail')
    return {
      clip,
      statusLabel: CLIP_STATUS_LABELS[clip.status],
      creator: { name: clip.user.fullName, email: clip.user.email },
      duration: clip.durationMs === null ? '—' : formatDuration(clip.durationMs),
      thumbnailUrl: thumbnail
        ? await this.storage.presignedGet(thumbnail.bucket, thumbnail.key, THUMBNAIL_TTL_SECONDS)
        : null,
      consent: clip.consentRecord
        ? `#${clip.consentRecord.id}: ${consentSummary(clip.consentRecord)}`
        : 'No consent record',
      risk: { ...riskSummary(clip), reasons: riskSummary(clip).reasons.slice(0, ROW_REASONS) },
      reviewable: {
        approve: refusal(clip, 'approve') === null,
        reject: refusal(clip, 'reject') === null,
      },
    }
  }
}

/**
 * Waiting clips oldest first (first come, first reviewed); decided ones latest decision first.
 * A decided clip without a review time (written by a script) sorts by its upload.
 */
function sortKey({ status, sort }: Pick<QueueFilters, 'status' | 'sort'>) {
  // Unscored clips (null) count as -1: after every scored one, then in upload order by id.
  if (sort === 'risk') return { key: 'coalesce(clips.risk_score, -1)', descending: true }
  return status === 'processed'
    ? { key: 'clips.created_at', descending: false }
    : { key: 'coalesce(clips.reviewed_at, clips.created_at)', descending: true }
}

function ordered(query: ModelQueryBuilderContract<typeof Clip, Clip>, filters: QueueFilters) {
  const { key, descending } = sortKey(filters)
  const direction = descending ? 'desc' : 'asc'
  return query.orderByRaw(`${key} ${direction}, clips.id ${direction}`)
}

function escapeLike(value: string) {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`)
}

/** The query string that repeats the filters (defaults left out), with `page` only past 1. */
export function filterQuery(filters: QueueFilters, overrides: Partial<QueueFilters> = {}) {
  const merged = { ...filters, ...overrides }
  const params = new URLSearchParams()
  if (merged.status !== 'processed') params.set('status', merged.status)
  for (const name of ['sport', 'activity', 'creator', 'from', 'to'] as const) {
    if (merged[name]) params.set(name, merged[name]!)
  }
  if (merged.sort && merged.sort !== 'usual') params.set('sort', merged.sort)
  if (merged.page > 1) params.set('page', String(merged.page))
  const text = params.toString()
  return text ? `?${text}` : ''
}
