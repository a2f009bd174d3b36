import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import Clip, { type ClipStatus } from '#models/clip'
import type User from '#models/user'
import { AuditTrail } from '#app/core/audit_trail'

export const DECISIONS = ['approve', 'reject'] as const
export type Decision = (typeof DECISIONS)[number]

export type DecisionResult =
  { ok: true; clip: Clip } | { ok: false; code: 'E_NOT_REVIEWABLE'; message: string }

export interface BulkResult {
  decided: Clip[]
  refused: string[]
}

/**
 * A reviewer's decisions, each audited in the transaction that records it.
 *
 * What may be decided: a `processed` clip is approved or rejected; a `rejected` clip may be
 * approved after all (a reviewer's mistake is undone, audited like any decision). An approved
 * clip is not rejected afterwards: it may already be in dataset versions that were sold, and
 * taking it out is its creator's withdrawal. Anything still in the pipeline, failed or
 * withdrawn is refused with a sentence saying why.
 */
@inject()
export class ModerationDecisions {
  constructor(protected audit: AuditTrail) {}

  /** Approves or rejects one clip (the row locked, the decision and its audit entry in one transaction). */
  async decide(
    admin: User,
    clipId: string,
    decision: Decision,
    reason: string | null,
    ip: string | null
  ): Promise<DecisionResult> {
    return db.transaction(async (trx) => {
      const clip = await Clip.query({ client: trx }).where('id', clipId).forUpdate().firstOrFail()
      const refused = refusal(clip, decision)
      if (refused)
        return { ok: false as const, code: 'E_NOT_REVIEWABLE' as const, message: refused }
      await this.#apply(trx, admin, clip, decision, reason, ip, false)
      return { ok: true as const, clip }
    })
  }

  /**
   * One decision for several clips. Clips that cannot take it (already decided, withdrawn…) are
   * left as they are and named in `refused`; the others are decided together, each audited.
   */
  async bulk(
    admin: User,
    decision: Decision,
    clipIds: string[],
    reason: string | null,
    ip: string | null
  ): Promise<BulkResult> {
    return db.transaction(async (trx) => {
      // Locked in id order, so two admins' overlapping bulk actions cannot deadlock.
      const clips = await Clip.query({ client: trx })
        .whereIn('id', [...new Set(clipIds)])
        .orderBy('id')
        .forUpdate()
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
        meta: {
          previousStatus,
          ...(decision === 'reject' ? { reason } : {}),
          ...(bulk ? { bulk: true } : {}),
        },
        ip,
      },
      trx
    )
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
