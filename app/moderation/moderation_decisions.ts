import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import Clip, { type ClipStatus } from '#models/clip'
import type User from '#models/user'
import { AuditTrail } from '#app/core/audit_trail'

export const DECISIONS = ['approve', 'reject'] as const
export type Decision = (typeof DECISIONS)[number]

/**
 * Why a decision cannot be taken on a clip, by its status (and the decision): the code and the
 * clip's title. moderation/errors.ts words it (`decisionErrors.describe`).
 */
export type DecisionRefusal = {
  code:
    | 'E_NOT_PROCESSED_YET'
    | 'E_STILL_PROCESSING'
    | 'E_ALREADY_APPROVED'
    | 'E_APPROVED_FOR_GOOD'
    | 'E_ALREADY_REJECTED'
    | 'E_FAILED_PROCESSING'
    | 'E_WITHDRAWN'
  title: string
}

export type DecisionResult = { ok: true; clip: Clip } | ({ ok: false } & DecisionRefusal)

/** A bulk decision's clips that were not decided: each one's refusal, and those that are gone. */
export type BulkRefusal = DecisionRefusal | { code: 'E_CLIPS_GONE'; missing: number }

export interface BulkResult {
  decided: Clip[]
  refused: BulkRefusal[]
}

/**
 * A reviewer's decisions, each audited in the transaction that records it.
 *
 * What may be decided: a `processed` clip is approved or rejected; a `rejected` clip may be
 * approved after all (a reviewer's mistake is undone, audited like any decision). An approved
 * clip is not rejected afterwards: it may already be in dataset versions that were sold, and
 * taking it out is its creator's withdrawal. Anything still in the pipeline, failed or
 * withdrawn is refused with a code saying why (moderation/errors.ts words it).
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
      if (refused) return { ok: false as const, ...refused }
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
      const refused: BulkRefusal[] = []
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
      if (missing > 0) refused.push({ code: 'E_CLIPS_GONE', missing })
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

/** Why `decision` cannot be taken on the clip; null when it can. */
export function refusal(clip: Clip, decision: Decision): DecisionRefusal | null {
  const statuses: Record<ClipStatus, DecisionRefusal['code'] | null> = {
    uploaded: 'E_NOT_PROCESSED_YET',
    processing: 'E_STILL_PROCESSING',
    processed: null,
    approved: decision === 'approve' ? 'E_ALREADY_APPROVED' : 'E_APPROVED_FOR_GOOD',
    rejected: decision === 'reject' ? 'E_ALREADY_REJECTED' : null,
    failed: 'E_FAILED_PROCESSING',
    withdrawn: 'E_WITHDRAWN',
  }
  const code = statuses[clip.status]
  return code ? { code, title: clip.title } : null
}
