import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import ClipRedaction, { OPEN_REDACTION_STATUSES } from '#models/clip_redaction'
import type User from '#models/user'
import { QueueService } from '#app/core/queue_service'
import { type RedactionErrorCode, redactionErrors } from '#app/moderation/errors'
import { StorageService } from '#app/core/storage_service'

/** Statuses whose video a reviewer may re-render: awaiting review, or approved. */
export const REDACTABLE_STATUSES = ['processed', 'approved'] as const

/** The longest range one redaction follows its box over (the tracker keeps its frames in memory). */
export const MAX_RANGE_SECONDS = 10
/** A smaller box is a slip of the mouse, not a region. */
export const MIN_BOX_SIDE = 8

/** The published video's frame: what boxes and ranges are checked against. */
export interface ClipGeometry {
  width: number
  height: number
  fps: number
  frameCount: number
}

export interface RedactionInput {
  frame: number
  x: number
  y: number
  width: number
  height: number
  start: number
  end: number
}

export type RedactionResult =
  | { ok: true; redaction: ClipRedaction }
  | { ok: false; code: RedactionErrorCode; message: string }

/** What the review page's redaction panel shows. */
export interface RedactionPanel {
  clipId: string
  geometry: ClipGeometry | null
  /** Why this clip cannot be redacted, in the admin's words; null when it can. */
  refusal: string | null
  /** The redaction being prepared or applied. */
  open: ClipRedaction | null
  /** The latest finished one (done or failed), for its outcome. */
  last: ClipRedaction | null
  maxRangeFrames: number
}

/**
 * A reviewer's manual redactions, web side: checks a drawn box and range against the clip,
 * records the redaction and queues its tracking; after the reviewer has seen the tracked boxes,
 * queues the re-render (RedactionWorkService does both jobs). One redaction per clip is open at
 * a time; drawing a new box replaces one not yet re-rendering.
 */
@inject()
export class RedactionService {
  constructor(
    protected storage: StorageService,
    protected queue: QueueService
  ) {}

  find(clipId: string) {
    return Clip.findOrFail(clipId)
  }

  async panel(clip: Clip): Promise<RedactionPanel> {
    const [geometry, inDatasets, open, last] = await Promise.all([
      this.geometry(clip),
      datasetVersionCount(clip.id),
      ClipRedaction.query().where('clip_id', clip.id).whereIn('status', OPEN_REDACTION_STATUSES).orderBy('id', 'desc').first(),
      ClipRedaction.query().where('clip_id', clip.id).whereIn('status', ['done', 'failed']).orderBy('id', 'desc').first(),
    ])
    return {
      clipId: clip.id,
      geometry,
      refusal: refusal(clip, inDatasets) ?? (geometry ? null : noGeometry(clip)),
      open,
      last,
      maxRangeFrames: geometry ? Math.round(MAX_RANGE_SECONDS * geometry.fps) : 0,
    }
  }

  /** The published video's size, rate and length, from its metadata.json; null when unreadable. */
  async geometry(clip: Clip): Promise<ClipGeometry | null> {
    const asset = await ClipAsset.query().where('clip_id', clip.id).where('kind', 'metadata').first()
    if (!asset || Number(asset.bytes) > 4 * 1024 * 1024) return null
    try {
      const chunks: Buffer[] = []
      for await (const chunk of await this.storage.getStream(asset.bucket, asset.key)) chunks.push(chunk as Buffer)
      const output = JSON.parse(Buffer.concat(chunks).toString('utf8')).output
      const geometry = { width: output?.width, height: output?.height, fps: output?.fps, frameCount: output?.frameCount }
      return Object.values(geometry).every((value) => Number.isFinite(value) && value > 0) ? geometry : null
    } catch (error) {
      logger.warn({ clipId: clip.id, err: error }, 'metadata.json unreadable for a redaction')
      return null
    }
  }

  /**
   * Records a drawn box and its range (replacing the clip's redaction not yet re-rendering)
   * and queues its tracking.
   */
  async request(admin: User, clip: Clip, input: RedactionInput): Promise<RedactionResult> {
    const geometry = await this.geometry(clip)
    const invalid = checkInput(input, geometry)
    if (invalid) return { ok: false, code: 'E_INVALID_REDACTION', message: redactionErrors.sentence('E_INVALID_REDACTION', { why: invalid }) }
    const outcome = await db.transaction(async (trx) => {
      const locked = await lockRedactable(trx, clip.id, geometry)
      if (typeof locked === 'string') return { ok: false as const, code: 'E_NOT_REDACTABLE' as const, message: redactionErrors.sentence('E_NOT_REDACTABLE', { why: locked }) }
      const rendering = await ClipRedaction.query({ client: trx }).where('clip_id', clip.id).where('status', 'rendering').first()
      if (rendering) return { ok: false as const, code: 'E_REDACTION_BUSY' as const, message: redactionErrors.sentence('E_REDACTION_BUSY', { title: locked.title }) }
      await ClipRedaction.query({ client: trx })
        .where('clip_id', clip.id)
        .whereIn('status', ['tracking', 'tracked'])
        .update({ status: 'cancelled', updated_at: new Date() })
      const redaction = await ClipRedaction.create(
        {
          clipId: clip.id,
          adminId: admin.id,
          status: 'tracking',
          anchorFrame: input.frame,
          box: { x: input.x, y: input.y, width: input.width, height: input.height },
          startFrame: input.start,
          endFrame: input.end,
          track: null,
        },
        { client: trx }
      )
      return { ok: true as const, redaction }
    })
    if (!outcome.ok) return outcome
    const queued = await this.#dispatch('track-redaction', outcome.redaction, 'tracking')
    return queued ?? outcome
  }

  /** Queues the re-render of a tracked redaction; refused while another one of the clip runs. */
  async render(admin: User, clip: Clip, redactionId: number): Promise<RedactionResult> {
    const geometry = await this.geometry(clip)
    const outcome = await db.transaction(async (trx) => {
      const locked = await lockRedactable(trx, clip.id, geometry)
      if (typeof locked === 'string') return { ok: false as const, code: 'E_NOT_REDACTABLE' as const, message: redactionErrors.sentence('E_NOT_REDACTABLE', { why: locked }) }
      const redaction = await ClipRedaction.query({ client: trx }).where('id', redactionId).where('clip_id', clip.id).forUpdate().first()
      if (!redaction || redaction.status === 'cancelled') {
        return { ok: false as const, code: 'E_REDACTION_NOT_FOUND' as const, message: redactionErrors.sentence('E_REDACTION_NOT_FOUND', { replaced: true }) }
      }
      const rendering = await ClipRedaction.query({ client: trx }).where('clip_id', clip.id).where('status', 'rendering').first()
      if (rendering) return { ok: false as const, code: 'E_REDACTION_BUSY' as const, message: redactionErrors.sentence('E_REDACTION_BUSY', { title: locked.title }) }
      if (redaction.status !== 'tracked') return { ok: false as const, code: 'E_NOT_REDACTABLE' as const, message: redactionErrors.sentence('E_NOT_REDACTABLE', { why: notTracked(redaction) }) }
      redaction.merge({ status: 'rendering', adminId: admin.id, errorMessage: null })
      await redaction.useTransaction(trx).save()
      return { ok: true as const, redaction }
    })
    if (!outcome.ok) return outcome
    const queued = await this.#dispatch('render-redaction', outcome.redaction, 'tracked')
    return queued ?? outcome
  }

  /** Drops a redaction not yet re-rendering; a running re-render cannot be taken back. */
  async cancel(clip: Clip, redactionId: number): Promise<RedactionResult> {
    return db.transaction(async (trx) => {
      const redaction = await ClipRedaction.query({ client: trx }).where('id', redactionId).where('clip_id', clip.id).forUpdate().first()
      if (!redaction) return { ok: false as const, code: 'E_REDACTION_NOT_FOUND' as const, message: redactionErrors.sentence('E_REDACTION_NOT_FOUND') }
      if (redaction.status === 'rendering') {
        return { ok: false as const, code: 'E_REDACTION_BUSY' as const, message: redactionErrors.sentence('E_REDACTION_BUSY') }
      }
      if (redaction.status === 'tracking' || redaction.status === 'tracked') {
        redaction.merge({ status: 'cancelled' })
        await redaction.useTransaction(trx).save()
      }
      return { ok: true as const, redaction }
    })
  }

  /**
   * Queues the job under the redaction's own id (a second dispatch of it is ignored); when the
   * queue cannot be reached the redaction goes back to `previous` (or is cancelled) and says so.
   */
  async #dispatch(name: 'track-redaction' | 'render-redaction', redaction: ClipRedaction, previous: 'tracking' | 'tracked'): Promise<RedactionResult | null> {
    try {
      await this.queue.dispatch(name, { redactionId: redaction.id }, { jobId: `${name}-${redaction.id}` })
      logger.info({ clipId: redaction.clipId, redactionId: redaction.id, job: name }, 'redaction queued')
      return null
    } catch (error) {
      logger.error({ clipId: redaction.clipId, redactionId: redaction.id, err: error }, `${name} could not be queued`)
      await ClipRedaction.query()
        .where('id', redaction.id)
        .update({ status: previous === 'tracking' ? 'cancelled' : 'tracked', updated_at: new Date() })
      return { ok: false, code: 'E_QUEUE_UNAVAILABLE', message: redactionErrors.sentence('E_QUEUE_UNAVAILABLE') }
    }
  }
}

/** Why the box or range cannot be used, in the admin's words; null when they can. */
export function checkInput(input: RedactionInput, geometry: ClipGeometry | null): string | null {
  if (!geometry) return 'This clip’s metadata.json does not describe its video, so it cannot be redacted here.'
  const { width, height, frameCount, fps } = geometry
  if (input.width < MIN_BOX_SIDE || input.height < MIN_BOX_SIDE) {
    return `The box is too small: draw one at least ${MIN_BOX_SIDE} pixels wide and high.`
  }
  if (input.x + input.width > width || input.y + input.height > height) {
    return `The box goes outside the frame (${width}×${height}): draw it inside the video.`
  }
  if (input.frame >= frameCount) return `Frame ${input.frame} is past the end of the clip (${frameCount} frames).`
  if (input.start > input.end) return 'The range is empty: its first frame comes after its last. Move the start before the end.'
  if (input.end >= frameCount) return `The range ends after the clip does: its last frame is ${frameCount - 1}.`
  if (input.frame < input.start || input.frame > input.end) {
    return 'The range must include the frame the box was drawn on.'
  }
  const maxFrames = Math.round(MAX_RANGE_SECONDS * fps)
  if (input.end - input.start + 1 > maxFrames) {
    return `The range is longer than ${MAX_RANGE_SECONDS} seconds (${maxFrames} frames): redact a longer stretch in several parts.`
  }
  return null
}

/** Why the clip's video cannot be re-rendered now; null when it can. */
export function refusal(clip: Clip, inDatasets: number): string | null {
  const title = `“${clip.title}”`
  if (!(REDACTABLE_STATUSES as readonly string[]).includes(clip.status)) {
    return `${title} is ${clip.status}: only a clip awaiting review or approved can be redacted.`
  }
  // A published version's manifest names the video's hash and key: changing it in place would
  // break what buyers were sold. A miss there is for the creator's withdrawal.
  if (inDatasets > 0) {
    return `${title} is in ${inDatasets} dataset version${inDatasets === 1 ? '' : 's'} whose manifest names its video, so it cannot be re-rendered; its creator can withdraw it.`
  }
  return null
}

function noGeometry(clip: Clip) {
  return `“${clip.title}” has no readable metadata.json describing its video, so it cannot be redacted here.`
}

function notTracked(redaction: ClipRedaction) {
  switch (redaction.status) {
    case 'tracking':
      return 'The box is still being followed through its range; re-render once the tracked boxes are shown.'
    case 'done':
      return 'This redaction is already in the video.'
    default:
      return 'This redaction failed; draw the box again.'
  }
}

function datasetVersionCount(clipId: string, trx?: TransactionClientContract) {
  return (trx ?? db)
    .from('dataset_version_clips')
    .where('clip_id', clipId)
    .count('* as count')
    .first()
    .then((row) => Number(row?.count ?? 0))
}

/** The clip locked for the change, or the sentence saying why it cannot take one. */
async function lockRedactable(trx: TransactionClientContract, clipId: string, geometry: ClipGeometry | null): Promise<Clip | string> {
  const clip = await Clip.query({ client: trx }).where('id', clipId).forUpdate().firstOrFail()
  return refusal(clip, await datasetVersionCount(clip.id, trx)) ?? (geometry ? clip : noGeometry(clip))
}
