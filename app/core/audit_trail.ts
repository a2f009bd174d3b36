import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import AuditLog from '#models/audit_log'

/** What an audited action was done to: `{ type: 'clip', id: clip.id }`. */
export interface AuditSubject {
  type: string
  id: string | number
}

export interface AuditEntry {
  /** The admin (or other person) acting; null for the system (CLI, jobs, webhooks). */
  actorId: number | null
  /** `<subject>.<past-tense verb>`, e.g. `clip.approved`, `user.suspended`, `setting.changed`. */
  action: string
  subject?: AuditSubject | null
  meta?: Record<string, unknown>
  ip?: string | null
}

/**
 * The one way an action is written to the audit log. Pass the transaction that makes the
 * change, so the change and its record commit or roll back together: an admin action that
 * failed leaves no entry, and one that happened always has one.
 */
export class AuditTrail {
  record(entry: AuditEntry, trx?: TransactionClientContract) {
    return AuditLog.create(
      {
        actorId: entry.actorId,
        action: entry.action,
        subjectType: entry.subject?.type ?? null,
        subjectId: entry.subject ? String(entry.subject.id) : null,
        meta: entry.meta ?? {},
        ip: entry.ip ?? null,
      },
      trx ? { client: trx } : undefined
    )
  }
}
