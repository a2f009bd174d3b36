import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import AuditLog from '#models/audit_log'
import type Clip from '#models/clip'
import type User from '#models/user'

/** The audit entry an admin's review leaves. */
export async function auditReview(trx: TransactionClientContract, admin: User, clip: Clip) {
  await AuditLog.create(
    {
      actorId: admin.id,
      action: clip.status === 'approved' ? 'clip.approve' : 'clip.reject',
      subjectType: 'clip',
      subjectId: clip.id,
      meta: clip.statusReason ? { reason: clip.statusReason } : {},
      ip: '198.51.100.7',
    },
    { client: trx }
  )
}
