import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import { DateTime } from 'luxon'
import Clip, { type ClipRiskReason, type ClipStatus } from '#models/clip'
import ClipAsset from '#models/clip_asset'
import type ConsentRecord from '#models/consent_record'
import type User from '#models/user'
import { AuditTrail } from '#app/core/audit_trail'
import { CLIP_STATUS_LABELS, formatDuration } from '#app/clips/public'
import { StorageService } from '#app/core/storage_service'

/** The statuses the queue lists: what waits for review, and past decisions to revisit. */
export const QUEUE_STATUSES = ['processed', 'approved', 'rejected'] as const
export type QueueStatus = (typeof QUEUE_STATUSES)[number]

/** The queue's orders: its usual one (see sortKey), or the highest privacy risk score first. */
export const QUEUE_SORTS = ['usual', 'risk'] as const
export type QueueSort = (typeof QUEUE_SORTS)[number]

export const DECISIONS = ['approve', 'reject'] as const
export type Decision = (typeof DECISIONS)[number]

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
/** Long enough to watch both videos of a clip side by side, short enough to be useless leaked. */
const VIDEO_TTL_SECONDS = 15 * 60
/** metadata.json is shown inline; a larger one is offered as a link only. */
const METADATA_INLINE_BYTES = 256 * 1024

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

/** A clip's risk score as the queue and the review page show it. */
export interface RiskSummary {
  /** Null: processed before the score existed ("not scored"). */
  score: number | null
  level: 'high' | 'medium' | 'low' | null
  reasons: ClipRiskReason[]
}

/** Scores from these up read as high or medium risk: a reason at its cap and more, or one at half. */
const HIGH_RISK = 50
const MEDIUM_RISK = 20
/** Reasons a queue row shows; the review page shows them all. */
const ROW_REASONS = 2

export function riskSummary(clip: Clip): RiskSummary {
  const score = clip.riskScore
  const level = score === null ? null : score >= HIGH_RISK ? 'high' : score >= MEDIUM_RISK ? 'medium' : 'low'
  return { score: score === null ? null : Math.round(score), level, reasons: clip.riskReasons ?? [] }
}

export interface ConsentSummary {
  id: number
  kind: ConsentRecord['kind']
  summary: string
  textVersion: number | null
  textSha256: string | null
  signature: string
  createdAt: DateTime
}

export interface ReviewPage {
  clip: Clip
  statusLabel: string
  creator: { name: string; email: string }
  reviewer: string | null
  duration: string
  /** The creator's original from the raw bucket: built for admins only, never for anyone else. */
  originalUrl: string | null
  anonymizedUrl: string | null
  /** Nothing was ever stored for the clip (demo data seeded without media), so nothing was removed either. */
  noMedia: boolean
  hasKeypoints: boolean
  hasRegions: boolean
  metadata: { json: string | null; url: string | null }
  risk: RiskSummary
  /** The riskiest moments first, in seconds: where `m` and the jump buttons seek the anonymized video. */
  moments: { start: number; end: number; code: ClipRiskReason['code'] }[]
  consents: ConsentSummary[]
  previousId: string | null
  nextId: string | null
  reviewable: { approve: boolean; reject: boolean }
}

export type DecisionResult = { ok: true; clip: Clip } | { ok: false; code: 'E_NOT_REVIEWABLE'; message: string }

export interface BulkResult {
  decided: Clip[]
  refused: string[]
}

const SCOPE_LABELS: Record<string, string> = { processing: 'processing', licensing: 'licensing' }
const USAGE_LABELS: Record<ConsentRecord['usage'], string> = {
  research: 'research',
  commercial: 'commercial',
  research_and_commercial: 'research and commercial',
}
const SUBJECT_LABELS: Record<ConsentRecord['subject'], string> = {
  self: 'the creator',
  coached_athletes: 'coached athletes',
  minor: 'a minor',
}

/**
 * The admin moderation queue: which processed clips wait for review, everything a reviewer
 * needs to judge one (the original beside the anonymized video, the consent, the metadata),
 * and the decisions, each audited in the transaction that records it.
 *
 * What may be decided: a `processed` clip is approved or rejected; a `rejected` clip may be
 * approved after all (a reviewer's mistake is undone, audited like any decision). An approved
 * clip is not rejected afterwards: it may already be in dataset versions that were sold, and
 * taking it out is its creator's withdrawal. Anything still in the pipeline, failed or
 * withdrawn is refused with a sentence saying why.
 */
@inject()
export class ModerationService {
  constructor(
    protected storage: StorageService,
    protected audit: AuditTrail
  ) {}

  /** One page of the queue for the filters, in review order. */
  async queue(filters: QueueFilters) {
    const query = this.#filtered(filters)
      .preload('user')
      .preload('consentRecord')
      .preload('assets', (assets) => assets.where('kind', 'thumbnail'))
    const page = await ordered(query, filters).paginate(filters.page, QUEUE_PAGE_SIZE)
    const rows = await Promise.all(page.all().map((clip) => this.#row(clip)))
    return { rows, page: page.getMeta() as { total: number; currentPage: number; lastPage: number; perPage: number } }
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
      activities: [...new Set(rows.map((row) => row.activity as string | null).filter((value): value is string => !!value))].sort(),
    }
  }

  find(clipId: string) {
    return Clip.findOrFail(clipId)
  }

  /** Everything the review page shows about one clip; neighbours follow the queue's filters. */
  async review(clip: Clip, filters: QueueFilters): Promise<ReviewPage> {
    await clip.load((loader) => {
      loader
        .load('user')
        .load('reviewer')
        .load('assets')
        .load('consentRecords', (records) => records.orderBy('created_at').orderBy('id'))
    })
    const asset = (kind: ClipAsset['kind']) => clip.assets.find((item) => item.kind === kind)
    const sign = async (kind: ClipAsset['kind']) => {
      const found = asset(kind)
      return found ? this.storage.presignedGet(found.bucket, found.key, VIDEO_TTL_SECONDS) : null
    }
    const [previousId, nextId] = await Promise.all([this.neighbour(clip.id, filters, 'previous'), this.neighbour(clip.id, filters, 'next')])
    return {
      clip,
      statusLabel: CLIP_STATUS_LABELS[clip.status],
      creator: { name: clip.user.fullName, email: clip.user.email },
      reviewer: clip.reviewer?.fullName ?? null,
      duration: clip.durationMs === null ? '—' : formatDuration(clip.durationMs),
      originalUrl: await sign('raw'),
      anonymizedUrl: await sign('video'),
      // A withdrawn clip's objects are purged with their rows: its empty list says "removed", not "none yet".
      noMedia: clip.assets.length === 0 && clip.status !== 'withdrawn',
      hasKeypoints: !!asset('keypoints'),
      hasRegions: !!asset('regions'),
      metadata: await this.#metadata(clip, asset('metadata')),
      risk: riskSummary(clip),
      moments: riskMoments(clip.riskReasons ?? []),
      consents: clip.consentRecords.map((record) => ({
        id: record.id,
        kind: record.kind,
        summary: consentSummary(record),
        textVersion: record.textVersion,
        textSha256: record.textSha256,
        signature: record.signature,
        createdAt: record.createdAt,
      })),
      previousId,
      nextId,
      reviewable: { approve: refusal(clip, 'approve') === null, reject: refusal(clip, 'reject') === null },
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
      .whereRaw(`(${key}, clips.id) ${after ? '>' : '<'} (select ${key.replaceAll('clips.', 'c.')}, c.id from clips c where c.id = ?)`, [clipId])
      .orderByRaw(`${key} ${after ? 'asc' : 'desc'}, clips.id ${after ? 'asc' : 'desc'}`)
      .select('clips.id')
      .first()
    return found?.id ?? null
  }

  /** The stored regions.json of a clip, or null for a clip processed before regions were kept. */
  async regionsStream(clip: Clip) {
    const asset = await ClipAsset.query().where('clipId', clip.id).where('kind', 'regions').first()
    return asset ? this.storage.getStream(asset.bucket, asset.key) : null
  }

  /** Approves or rejects one clip (the row locked, the decision and its audit entry in one transaction). */
  async decide(admin: User, clipId: string, decision: Decision, reason: string | null, ip: string | null): Promise<DecisionResult> {
    return db.transaction(async (trx) => {
      const clip = await Clip.query({ client: trx }).where('id', clipId).forUpdate().firstOrFail()
      const refused = refusal(clip, decision)
      if (refused) return { ok: false as const, code: 'E_NOT_REVIEWABLE' as const, message: refused }
      await this.#apply(trx, admin, clip, decision, reason, ip, false)
      return { ok: true as const, clip }
    })
  }

  /**
   * One decision for several clips. Clips that cannot take it (already decided, withdrawn…) are
   * left as they are and named in `refused`; the others are decided together, each audited.
   */
  async bulk(admin: User, decision: Decision, clipIds: string[], reason: string | null, ip: string | null): Promise<BulkResult> {
    return db.transaction(async (trx) => {
      // Locked in id order, so two admins' overlapping bulk actions cannot deadlock.
      const clips = await Clip.query({ client: trx }).whereIn('id', [...new Set(clipIds)]).orderBy('id').forUpdate()
      const decided: Clip[] = []
      const refused: string[] = []
      for (const clip of clips) {
        const why = refusal(clip, decision)
        if (why) {
          refused.push(why)
          continue
        }
        await this.#apply(trx, admin, clip, decision, reason, ip, true)
        decided.push(clip)
      }
      const missing = clipIds.length > 0 ? new Set(clipIds).size - clips.length : 0
      if (missing > 0) refused.push(`${missing} of the selected clips no longer exist.`)
      return { decided, refused }
    })
  }

  async #apply(
    trx: TransactionClientContract,
    admin: User,
    clip: Clip,
    decision: Decision,
    reason: string | null,
    ip: string | null,
    bulk: boolean
  ) {
    const previousStatus = clip.status
    clip.merge({
      status: decision === 'approve' ? 'approved' : 'rejected',
      statusReason: decision === 'approve' ? null : reason,
      reviewedAt: DateTime.now(),
      reviewedBy: admin.id,
    })
    await clip.useTransaction(trx).save()
    await this.audit.record(
      {
        actorId: admin.id,
        action: decision === 'approve' ? 'clip.approved' : 'clip.rejected',
        subject: { type: 'clip', id: clip.id },
        meta: { previousStatus, ...(decision === 'reject' ? { reason } : {}), ...(bulk ? { bulk: true } : {}) },
        ip,
      },
      trx
    )
  }

  #filtered(filters: QueueFilters) {
    const query = Clip.query().where('clips.status', filters.status)
    if (filters.sport) query.where('clips.sport', filters.sport)
    if (filters.activity) query.whereILike('clips.activity', `%${escapeLike(filters.activity)}%`)
    if (filters.creator) {
      const term = `%${escapeLike(filters.creator)}%`
      query.whereHas('user', (user) => user.whereILike('email', term).orWhereILike('full_name', term))
    }
    if (filters.from) query.where('clips.created_at', '>=', DateTime.fromISO(filters.from).startOf('day').toJSDate())
    if (filters.to) query.where('clips.created_at', '<', DateTime.fromISO(filters.to).plus({ days: 1 }).startOf('day').toJSDate())
    return query
  }

  async #row(clip: Clip): Promise<QueueRow> {
    const thumbnail = clip.assets.find((asset) => asset.kind === 'thumbnail')
    return {
      clip,
      statusLabel: CLIP_STATUS_LABELS[clip.status],
      creator: { name: clip.user.fullName, email: clip.user.email },
      duration: clip.durationMs === null ? '—' : formatDuration(clip.durationMs),
      thumbnailUrl: thumbnail ? await this.storage.presignedGet(thumbnail.bucket, thumbnail.key, THUMBNAIL_TTL_SECONDS) : null,
      consent: clip.consentRecord ? `#${clip.consentRecord.id}: ${consentSummary(clip.consentRecord)}` : 'No consent record',
      risk: { ...riskSummary(clip), reasons: riskSummary(clip).reasons.slice(0, ROW_REASONS) },
      reviewable: { approve: refusal(clip, 'approve') === null, reject: refusal(clip, 'reject') === null },
    }
  }

  async #metadata(clip: Clip, asset: ClipAsset | undefined) {
    if (!asset) return { json: null, url: null }
    const url = await this.storage.presignedGet(asset.bucket, asset.key, VIDEO_TTL_SECONDS, `${clip.id}-metadata.json`)
    if (Number(asset.bytes) > METADATA_INLINE_BYTES) return { json: null, url }
    const chunks: Buffer[] = []
    for await (const chunk of await this.storage.getStream(asset.bucket, asset.key)) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    try {
      return { json: JSON.stringify(JSON.parse(text), null, 2), url }
    } catch {
      return { json: text, url }
    }
  }
}

/** Why `decision` cannot be taken on the clip, in the admin's words; null when it can. */
export function refusal(clip: Clip, decision: Decision): string | null {
  const title = `“${clip.title}”`
  const statuses: Record<ClipStatus, string | null> = {
    uploaded: `${title} has not been processed yet; it can be reviewed once processing has finished.`,
    processing: `${title} is still being processed; it can be reviewed once processing has finished.`,
    processed: null,
    approved:
      decision === 'approve'
        ? `${title} is already approved.`
        : `${title} is already approved and may be in sold dataset versions: it is not rejected afterwards (its creator can withdraw it).`,
    rejected: decision === 'reject' ? `${title} is already rejected.` : null,
    failed: `${title} failed processing; only a processed clip can be reviewed.`,
    withdrawn: `${title} was withdrawn by its creator and can no longer be reviewed.`,
  }
  return statuses[clip.status]
}

/** "processing, licensing · research and commercial · the creator", plus the guardian for a minor. */
function consentSummary(record: ConsentRecord) {
  if (record.kind === 'withdrawal') return 'withdrawal'
  const subject =
    record.subject === 'minor'
      ? `a minor, guardian ${record.guardianName ?? 'unnamed'}${record.guardianRelationship ? ` (${record.guardianRelationship})` : ''}`
      : record.subject === 'coached_athletes'
        ? `${record.athleteCount} coached athlete${record.athleteCount === 1 ? '' : 's'}`
        : SUBJECT_LABELS[record.subject]
  return [record.scopes.map((scope) => SCOPE_LABELS[scope] ?? scope).join(', '), USAGE_LABELS[record.usage], subject].join(' · ')
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

/**
 * Every reason's moments, heaviest reason first and longest moment first within it, without
 * repeating a moment two reasons share: the order `m` steps through.
 */
export function riskMoments(reasons: ClipRiskReason[]) {
  const moments: { start: number; end: number; code: ClipRiskReason['code'] }[] = []
  for (const reason of [...reasons].sort((a, b) => b.weight - a.weight)) {
    for (const [start, end] of reason.times) {
      if (!moments.some((moment) => moment.start <= end && start <= moment.end)) moments.push({ start, end, code: reason.code })
    }
  }
  return moments
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
