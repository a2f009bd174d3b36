import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import Clip, { type ClipStatus } from '#models/clip'
import ClipAsset from '#models/clip_asset'
import type ConsentRecord from '#models/consent_record'
import type User from '#models/user'
import { QueueService } from '#app/core/queue_service'
import { StorageService } from '#app/core/storage_service'
import { formatBytes } from '#app/core/format'

/** What the creator reads for each status; the badge colour is the template's business. */
export const CLIP_STATUS_LABELS: Record<ClipStatus, string> = {
  uploaded: 'Waiting for processing',
  processing: 'Processing',
  processed: 'Awaiting review',
  approved: 'Approved',
  rejected: 'Rejected',
  failed: 'Failed',
  withdrawn: 'Withdrawn',
}

/** Statuses the pipeline may still change by itself: while one is shown, the page polls. */
export const ACTIVE_CLIP_STATUSES: readonly ClipStatus[] = ['uploaded', 'processing']

const CONSENT_USAGE_LABELS: Record<ConsentRecord['usage'], string> = {
  research: 'Research',
  commercial: 'Commercial',
  research_and_commercial: 'Research and commercial',
}

/** Thumbnails are shown right away; a short lifetime keeps a leaked URL nearly worthless. */
const THUMBNAIL_TTL_SECONDS = 5 * 60

export interface ClipCard {
  clip: Clip
  statusLabel: string
  isActive: boolean
  canRetry: boolean
  canWithdraw: boolean
  thumbnailUrl: string | null
  consent: { id: number; scopes: string; usage: string } | null
}

export interface ClipDetail extends ClipCard {
  /** Presigned links to the processed outputs, once published. */
  outputs: {
    video: string | null
    preview: string | null
    keypoints: string | null
    metadata: string | null
  }
  technical: { label: string; value: string }[]
  assets: {
    kind: string
    size: string
    contentType: string
    sha256: string
    createdAt: ClipAsset['createdAt']
  }[]
  runs: {
    attempt: number
    status: string
    failedStep: string | null
    errorCode: string | null
    errorMessage: string | null
    startedAt: string
    finishedAt: string | null
    duration: string | null
    timings: { step: string; duration: string }[]
    workerHost: string | null
  }[]
}

export type RetryResult =
  | { ok: true; clip: Clip }
  | { ok: false; code: 'E_NOT_RETRYABLE'; status: ClipStatus }
  | { ok: false; code: 'E_QUEUE_UNAVAILABLE' }

/**
 * A creator's clips as their pages show them (status, thumbnail, consent), and the one
 * action a creator takes on a clip here: sending a failed clip back to the pipeline.
 */
@inject()
export class ClipLibraryService {
  constructor(
    protected storage: StorageService,
    protected queue: QueueService
  ) {}

  /** Every clip of the creator, newest first, and whether the page should keep polling. */
  async listFor(user: User) {
    const clips = await Clip.query()
      .where('user_id', user.id)
      .preload('consentRecord')
      .preload('assets', (query) => query.where('kind', 'thumbnail'))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
    const cards = await Promise.all(clips.map((clip) => this.#card(clip)))
    return { clips: cards, polling: cards.some((card) => card.isActive) }
  }

  /** The clip behind a URL; a 404 when it does not exist (the route only admits UUIDs). */
  /** The stored keypoints.json of a processed clip, or null when there is none. */
  async keypointsStream(clip: Clip) {
    const asset = await ClipAsset.query()
      .where('clipId', clip.id)
      .where('kind', 'keypoints')
      .first()
    return asset ? this.storage.getStream(asset.bucket, asset.key) : null
  }

  find(id: string) {
    return Clip.findOrFail(id)
  }

  /** Everything the detail page shows about one clip. */
  async detail(clip: Clip): Promise<ClipDetail> {
    await clip.load((loader) => {
      loader
        .load('consentRecord')
        .load('assets', (query) => query.orderBy('kind'))
        .load('processingRuns', (query) => query.orderBy('attempt', 'desc'))
    })
    const card = await this.#card(clip)
    const link = async (kind: ClipAsset['kind'], name?: string) => {
      const asset = clip.assets.find((item) => item.kind === kind)
      return asset
        ? this.storage.presignedGet(asset.bucket, asset.key, THUMBNAIL_TTL_SECONDS, name)
        : null
    }
    return {
      ...card,
      outputs: {
        video: await link('video'),
        preview: await link('preview'),
        keypoints: await link('keypoints', `${clip.id}-keypoints.json`),
        metadata: await link('metadata', `${clip.id}-metadata.json`),
      },
      technical: [
        { label: 'Original file', value: clip.originalFilename },
        { label: 'Type', value: clip.contentType ?? '—' },
        {
          label: 'Duration',
          value: clip.durationMs === null ? '—' : formatDuration(clip.durationMs),
        },
        {
          label: 'Resolution',
          value: clip.width && clip.height ? `${clip.width} × ${clip.height}` : '—',
        },
        { label: 'Frame rate', value: clip.fps ? `${clip.fps} fps` : '—' },
        { label: 'Size', value: clip.bytes === null ? '—' : formatBytes(clip.bytes) },
        { label: 'SHA-256', value: clip.sha256 ?? '—' },
      ],
      assets: clip.assets.map((asset) => ({
        kind: asset.kind,
        size: formatBytes(asset.bytes),
        contentType: asset.contentType,
        sha256: asset.sha256,
        createdAt: asset.createdAt,
      })),
      runs: clip.processingRuns.map((run) => ({
        attempt: run.attempt,
        status: run.status,
        failedStep: run.failedStep,
        errorCode: run.errorCode,
        errorMessage: run.errorMessage,
        startedAt: run.startedAt.toFormat('d LLL yyyy HH:mm:ss'),
        finishedAt: run.finishedAt?.toFormat('d LLL yyyy HH:mm:ss') ?? null,
        duration: run.finishedAt
          ? formatDuration(run.finishedAt.diff(run.startedAt).as('milliseconds'))
          : null,
        timings: Object.entries(run.stepTimings ?? {}).map(([step, ms]) => ({
          step,
          duration: formatDuration(ms),
        })),
        workerHost: run.workerHost,
      })),
    }
  }

  /**
   * Sends a failed clip back to the pipeline: status `uploaded`, reason and failed step
   * cleared, a fresh `process-clip` job. Any other status is left as it is. The row is
   * locked so two clicks on Retry queue one job, not two.
   */
  async retry(clipId: string): Promise<RetryResult> {
    const outcome = await db.transaction(async (trx) => {
      const clip = await Clip.query({ client: trx }).where('id', clipId).forUpdate().firstOrFail()
      if (clip.status !== 'failed') return { ok: false as const, status: clip.status }
      const previous = {
        statusReason: clip.statusReason,
        failedStep: clip.failedStep,
        progress: clip.progress,
      }
      clip.merge({ status: 'uploaded', statusReason: null, failedStep: null, progress: 0 })
      await clip.save()
      return { ok: true as const, clip, previous }
    })
    if (!outcome.ok) return { ok: false, code: 'E_NOT_RETRYABLE', status: outcome.status }

    try {
      // A unique id per retry: BullMQ would ignore an id it still remembers from the
      // failed attempt. BullMQ refuses ids with ':' (save its own 3-part form), hence '-'.
      await this.queue.dispatch(
        'process-clip',
        { clipId },
        { jobId: `process-clip-${clipId}-retry-${Date.now()}` }
      )
    } catch (error) {
      // Without a job the clip would wait for processing forever: put it back as it was.
      logger.error(
        { err: error, clipId },
        'retry could not queue process-clip; clip restored to failed'
      )
      await Clip.query().where('id', clipId).where('status', 'uploaded').update({
        status: 'failed',
        status_reason: outcome.previous.statusReason,
        failed_step: outcome.previous.failedStep,
        progress: outcome.previous.progress,
      })
      return { ok: false, code: 'E_QUEUE_UNAVAILABLE' }
    }
    logger.info({ clipId }, 'failed clip queued for processing again')
    return { ok: true, clip: outcome.clip }
  }

  async #card(clip: Clip): Promise<ClipCard> {
    const thumbnail = clip.assets?.find((asset) => asset.kind === 'thumbnail')
    const grant = clip.consentRecord
    return {
      clip,
      statusLabel: CLIP_STATUS_LABELS[clip.status],
      isActive: ACTIVE_CLIP_STATUSES.includes(clip.status),
      canRetry: clip.status === 'failed',
      canWithdraw: clip.status !== 'withdrawn',
      thumbnailUrl: thumbnail
        ? await this.storage.presignedGet(thumbnail.bucket, thumbnail.key, THUMBNAIL_TTL_SECONDS)
        : null,
      consent: grant
        ? {
            id: grant.id,
            scopes: grant.scopes.join(', '),
            usage: CONSENT_USAGE_LABELS[grant.usage],
          }
        : null,
    }
  }
}

/** 83_400 → "1 min 23.4 s"; short steps keep their milliseconds. */
export function formatDuration(ms: number) {
  if (ms < 1000) return `${Math.round(ms)} ms`
  const seconds = ms / 1000
  if (seconds < 60) return `${seconds.toFixed(1)} s`
  const minutes = Math.floor(seconds / 60)
  return `${minutes} min ${(seconds - minutes * 60).toFixed(1)} s`
}
