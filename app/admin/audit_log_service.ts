import { DateTime } from 'luxon'
import AuditLog from '#models/audit_log'
import User from '#models/user'

export const AUDIT_PAGE_SIZE = 50

export interface AuditFilters {
  /** An e-mail, a user id, or "system" for entries without an actor. */
  actor?: string
  /** An exact action, or a prefix ending in a dot (`user.`). */
  action?: string
  subjectType?: string
  subjectId?: string
  from?: Date
  to?: Date
  /** Keyset: entries older than this id. */
  before?: number
}

export interface AuditRow {
  entry: AuditLog
  /** The meta as label → text, for reading rather than parsing. */
  details: { label: string; value: string }[]
}

/** Reads the audit log for admins: newest first, filtered, one keyset page at a time. */
export class AuditLogService {
  async page(filters: AuditFilters) {
    const query = AuditLog.query()
      .preload('actor')
      .orderBy('id', 'desc')
      .limit(AUDIT_PAGE_SIZE + 1)
    if (filters.actor) {
      const actor = filters.actor.trim()
      if (actor.toLowerCase() === 'system') query.whereNull('actor_id')
      else if (/^\d+$/.test(actor)) query.where('actor_id', Number(actor))
      else {
        const user = await User.findBy('email', actor)
        // An unknown e-mail matches nothing, not everything.
        query.where('actor_id', user?.id ?? -1)
      }
    }
    if (filters.action) {
      if (filters.action.endsWith('.'))
        query.whereLike('action', `${filters.action.replace(/_/g, '\\_')}%`)
      else query.where('action', filters.action)
    }
    if (filters.subjectType) query.where('subject_type', filters.subjectType)
    if (filters.subjectId) query.where('subject_id', filters.subjectId)
    if (filters.from)
      query.where('created_at', '>=', DateTime.fromJSDate(filters.from).startOf('day').toJSDate())
    if (filters.to)
      query.where(
        'created_at',
        '<',
        DateTime.fromJSDate(filters.to).startOf('day').plus({ days: 1 }).toJSDate()
      )
    if (filters.before) query.where('id', '<', filters.before)

    const entries = await query
    const more = entries.length > AUDIT_PAGE_SIZE
    const shown = entries.slice(0, AUDIT_PAGE_SIZE)
    return {
      rows: shown.map((entry): AuditRow => ({ entry, details: readable(entry.meta) })),
      nextBefore: more ? shown[shown.length - 1].id : null,
    }
  }
}

/** `{ from: 'creator', to: 'admin' }` → `from: creator`, `to: admin`; nested values as JSON. */
export function readable(meta: Record<string, unknown>) {
  // jsonb keeps keys by length, not as written: what changed reads best as key, from, to.
  const rank = (key: string) => ({ key: 0, email: 1, from: 8, to: 9 })[key] ?? 5
  const entries = Object.entries(meta ?? {}).sort(
    ([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)
  )
  return entries.map(([key, value]) => ({
    label: key
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .replace(/_/g, ' ')
      .toLowerCase(),
    value: text(value),
  }))
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null))
    return value.join(', ')
  return JSON.stringify(value)
}
