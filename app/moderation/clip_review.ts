import { inject } from '@adonisjs/core'
import type { DateTime } from 'luxon'
import Clip, { type ClipRiskReason } from '#models/clip'
import ClipAsset from '#models/clip_asset'
import type ConsentRecord from '#models/consent_record'
import { CLIP_STATUS_LABELS, formatDuration } from '#app/clips/public'
import { StorageService } from '#app/core/storage_service'
import { refusal } from '#app/moderation/moderation_decisions'
import {
  consentSummary,
  riskMoments,
  riskSummary,
  type RiskSummary,
} from '#app/moderation/review_presenters'
import { ReviewQueue, type QueueFilters } from '#app/moderation/review_queue'

/** Long enough to watch both videos of a clip side by side, short enough to be useless leaked. */
const VIDEO_TTL_SECONDS = 15 * 60
/** metadata.json is shown inline; a larger one is offered as a link only. */
const METADATA_INLINE_BYTES = 256 * 1024

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

/**
 * Everything a reviewer needs to judge one clip: the original beside the anonymized video, the
 * consent, the metadata, the risk's moments, and the neighbours in the queue.
 */
@inject()
export class ClipReview {
  constructor(
    protected storage: StorageService,
    protected queue: ReviewQueue
  ) {}

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
    const [previousId, nextId] = await Promise.all([
      this.queue.neighbour(clip.id, filters, 'previous'),
      this.queue.neighbour(clip.id, filters, 'next'),
    ])
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
      reviewable: {
        approve: refusal(clip, 'approve') === null,
        reject: refusal(clip, 'reject') === null,
      },
    }
  }

  /** The stored regions.json of a clip, or null for a clip processed before regions were kept. */
  async regionsStream(clip: Clip) {
    const asset = await ClipAsset.query().where('clipId', clip.id).where('kind', 'regions').first()
    return asset ? this.storage.getStream(asset.bucket, asset.key) : null
  }

  async #metadata(clip: Clip, asset: ClipAsset | undefined) {
    if (!asset) return { json: null, url: null }
    const url = await this.storage.presignedGet(
      asset.bucket,
      asset.key,
      VIDEO_TTL_SECONDS,
      `${clip.id}-metadata.json`
    )
    if (Number(asset.bytes) > METADATA_INLINE_BYTES) return { json: null, url }
    const chunks: Buffer[] = []
    for await (const chunk of await this.storage.getStream(asset.bucket, asset.key))
      chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    try {
      return { json: JSON.stringify(JSON.parse(text), null, 2), url }
    } catch {
      return { json: text, url }
    }
  }
}
