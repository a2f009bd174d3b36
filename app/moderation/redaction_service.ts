import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import ClipRedaction, { OPEN_REDACTION_STATUSES } from '#models/clip_redaction'
import type User from '#models/user'
import { QueueService } from '#app/core/queue_service'
import { redactionErrors } from '#app/moderation/errors'
import { StorageService } from '#app/core/storage_service'
import {
  type ClipGeometry,
  type ClipProblem,
  type InputProblem,
  type NotTrackedProblem,
  type RedactionInput,
  MAX_RANGE_SECONDS,
  checkInput,
  datasetVersionCount,
  lockRedactable,
  noGeometry,
  notTracked,
  refusal,
} from '#app/moderation/redaction_checks'

/**
 * Why a redaction was not recorded, re-rendered or dropped: the code and what its sentence
 * names (moderation/errors.ts words it: `redactionErrors.describe`).
 */
export type RedactionRefusal =
  | InputProblem
  | ClipProblem
  | NotTrackedProblem
  /** `title`: another re-render of the clip runs; none: this one is running. */
  | { code: 'E_REDACTION_BUSY'; title?: string }
  /** `replaced`: it was replaced or cancelled since. */
  | { code: 'E_REDACTION_NOT_FOUND'; replaced?: true }
  | { code: 'E_QUEUE_UNAVAILABLE' }

export type RedactionResult =
  { ok: true; redaction: ClipRedaction } | ({ ok: false } & RedactionRefusal)

/** What the review page's redaction panel shows. */
export interface RedactionPanel {
  clipId: string
  geometry: ClipGeometry | null
  /** Why this clip cannot be redacted, in the admin's words (from the catalog); null when it can. */
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
      ClipRedaction.query()
        .where('clip_id', clip.id)
        .whereIn('status', OPEN_REDACTION_STATUSES)
        .orderBy('id', 'desc')
        .first(),
      ClipRedaction.query()
        .where('clip_id', clip.id)
        .whereIn('status', ['done', 'failed'])
        .orderBy('id', 'desc')
        .first(),
    ])
    const refused = refusal(clip, inDatasets) ?? (geometry ? null : noGeometry(clip))
    return {
      clipId: clip.id,
      geometry,
      refusal: refused ? redactionErrors.describe(refused) : null,
      open,
      last,
      maxRangeFrames: geometry ? Math.round(MAX_RANGE_SECONDS * geometry.fps) : 0,
    }
  }

  /** The published video's size, rate and length, from its metadata.json; null when unreadable. */
  async geometry(clip: Clip): Promise<ClipGeometry | null> {
    const asset = await ClipAsset.query()
      .where('clip_id', clip.id)
      .where('kind', 'metadata')
      .first()
    if (!asset || Number(asset.bytes) > 4 * 1024 * 1024) return null
    try {
      const chunks: Buffer[] = []
      for await (const chunk of await this.storage.getStream(asset.bucket, asset.key))
        chunks.push(chunk as Buffer)
      const output = JSON.parse(Buffer.concat(chunks).toString('utf8')).output
      const geometry = {
        width: output?.width,
        height: output?.height,
        fps: output?.fps,
        frameCount: output?.frameCount,
      }
      return Object.values(geometry).every((value) => Number.isFinite(value) && value > 0)
        ? geometry
        : null
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
    if (invalid) return { ok: false, ...invalid }
    const outcome = await db.transaction(async (trx) => {
      const locked = await lockRedactable(trx, clip.id, geometry)
      if (!(locked instanceof Clip)) return { ok: false as const, ...locked }
      const busy = await renderRunning(trx, locked)
      if (busy) return busy
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
      if (!(locked instanceof Clip)) return { ok: false as const, ...locked }
      const redaction = await ClipRedaction.query({ client: trx })
        .where('id', redactionId)
        .where('clip_id', clip.id)
        .forUpdate()
        .first()
      if (!redaction || redaction.status === 'cancelled') {
        return {
          ok: false as const,
          code: 'E_REDACTION_NOT_FOUND' as const,
          replaced: true as const,
        }
      }
      const busy = await renderRunning(trx, locked)
      if (busy) return busy
      if (redaction.status !== 'tracked') return { ok: false as const, ...notTracked(redaction) }
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
      const redaction = await ClipRedaction.query({ client: trx })
        .where('id', redactionId)
        .where('clip_id', clip.id)
        .forUpdate()
        .first()
      if (!redaction) return { ok: false as const, code: 'E_REDACTION_NOT_FOUND' as const }
      if (redaction.status === 'rendering') {
        return { ok: false as const, code: 'E_REDACTION_BUSY' as const }
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
  async #dispatch(
    name: 'track-redaction' | 'render-redaction',
    redaction: ClipRedaction,
    previous: 'tracking' | 'tracked'
  ): Promise<RedactionResult | null> {
    try {
      await this.queue.dispatch(
        name,
        { redactionId: redaction.id },
        { jobId: `${name}-${redaction.id}` }
      )
      logger.info(
        { clipId: redaction.clipId, redactionId: redaction.id, job: name },
        'redaction queued'
      )
      return null
    } catch (error) {
      logger.error(
        { clipId: redaction.clipId, redactionId: redaction.id, err: error },
        `${name} could not be queued`
      )
      await ClipRedaction.query()
        .where('id', redaction.id)
        .update({
          status: previous === 'tracking' ? 'cancelled' : 'tracked',
          updated_at: new Date(),
        })
      return { ok: false, code: 'E_QUEUE_UNAVAILABLE' }
    }
  }
}

/** The refusal while another re-render of the (locked) clip runs; null when none does. */
async function renderRunning(trx: TransactionClientContract, clip: Clip) {
  const rendering = await ClipRedaction.query({ client: trx })
    .where('clip_id', clip.id)
    .where('status', 'rendering')
    .first()
  if (!rendering) return null
  return { ok: false as const, code: 'E_REDACTION_BUSY' as const, title: clip.title }
}
