import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import { CONSENT_KINDS, type ConsentKind } from '#models/consent_record'
import { pages, type CsvValue } from '#app/core/csv'
import { AuditTrail } from '#app/core/audit_trail'
import type User from '#models/user'
import { escapeLike } from '#app/commerce/public'
import { afterId, dayRange, oneOf, text, toQueryString, UUID } from '#app/core/admin_filters'

export const CONSENT_LOG_PAGE_SIZE = 50
const EXPORT_PAGE_SIZE = 500

/** The consent log's filters as the page and its CSV export read them (one parser for both). */
export interface ConsentLogFilters {
  /** Part of the person's e-mail or name. */
  user?: string
  /** A clip id, or part of its title. */
  clip?: string
  /** A consent text version number. */
  version?: string
  kind?: ConsentKind
  from?: string
  to?: string
}

interface ParsedConsentLogFilters {
  filters: ConsentLogFilters
  errors: string[]
  where: {
    user?: string
    clipId?: string
    clipTitle?: string
    version?: number
    kind?: ConsentKind
    since?: Date
    until?: Date
  }
}

export interface ConsentLogRow {
  id: number
  kind: ConsentKind
  createdAt: Date
  user: { id: number; name: string; email: string }
  subject: string
  athleteCount: number
  minor: boolean
  guardianName: string | null
  guardianRelationship: string | null
  scopes: string[]
  usage: string
  signature: string
  /** The version the record was given under: a grant's own, a withdrawal's grant's. */
  textVersion: number | null
  textSha256: string | null
  withdrawsRecordId: number | null
  ip: string | null
  userAgent: string | null
  clips: { id: string; title: string }[]
}

export const CONSENT_LOG_CSV_HEADER = [
  'id',
  'created_at',
  'kind',
  'user_id',
  'user_email',
  'user_name',
  'subject',
  'athlete_count',
  'minor',
  'guardian_name',
  'guardian_relationship',
  'scopes',
  'usage',
  'signature',
  'text_version',
  'text_sha256',
  'withdraws_record_id',
  'ip',
  'user_agent',
  'clip_ids',
  'clip_titles',
]

/**
 * The legal log: every consent record (grants and withdrawals) as evidence, searchable and
 * exportable, and the licences that withdrawals touch. Read-only: records never change.
 */
@inject()
export class LegalLogService {
  constructor(protected audit: AuditTrail) {}

  /** An export hands personal and financial data out of the instance: who took what is kept. */
  recordExport(admin: User, filters: object, ip: string | null) {
    return this.audit.record({
      actorId: admin.id,
      action: 'consent_log.exported',
      subject: { type: 'consent_log', id: 'csv' },
      meta: { filters },
      ip,
    })
  }

  /** Reads the query string; an unreadable filter is dropped and explained in `errors`. */
  parseFilters(query: Record<string, unknown>): ParsedConsentLogFilters {
    const errors: string[] = []
    const user = text(query.user, 254) || undefined
    const clip = text(query.clip, 200) || undefined
    let version = text(query.version, 9) || undefined
    if (version && !/^\d{1,9}$/.test(version.replace(/^v/i, ''))) {
      errors.push('Text version must be a version number, like 3.')
      version = undefined
    }
    const kind = oneOf(query.kind, CONSENT_KINDS, errors, 'Kind must be grant or withdrawal.')
    const days = dayRange(query, errors)
    return {
      filters: { user, clip, version, kind, from: days.from, to: days.to },
      errors,
      where: {
        user,
        clipId: clip && UUID.test(clip) ? clip.toLowerCase() : undefined,
        clipTitle: clip && !UUID.test(clip) ? clip : undefined,
        version: version ? Number(version.replace(/^v/i, '')) : undefined,
        kind,
        since: days.since,
        until: days.until,
      },
    }
  }

  queryString(filters: ConsentLogFilters, after?: number | null) {
    return toQueryString({ ...filters }, after)
  }

  /** One page of records after the cursor (a record id), newest first, and the next cursor. */
  async page(parsed: ParsedConsentLogFilters, after: unknown) {
    const cursor = afterId(after)
    const rows = await this.#rows(parsed, cursor, CONSENT_LOG_PAGE_SIZE + 1)
    const records = rows.slice(0, CONSENT_LOG_PAGE_SIZE)
    return {
      records,
      next: rows.length > CONSENT_LOG_PAGE_SIZE ? records[records.length - 1].id : null,
      after: cursor,
    }
  }

  /** How many records match, by kind. */
  async counts(parsed: ParsedConsentLogFilters) {
    const rows: { kind: ConsentKind; total: string }[] = await this.#filtered(parsed)
      .groupBy('r.kind')
      .select('r.kind')
      .count('* as total')
    const byKind = Object.fromEntries(rows.map((row) => [row.kind, Number(row.total)])) as Partial<
      Record<ConsentKind, number>
    >
    return { grants: byKind.grant ?? 0, withdrawals: byKind.withdrawal ?? 0 }
  }

  /** Every filtered record as a CSV record, read page by page. */
  async *csvRows(parsed: ParsedConsentLogFilters): AsyncGenerator<CsvValue[]> {
    for await (const row of pages<ConsentLogRow>(
      (after) => this.#rows(parsed, after?.id ?? null, EXPORT_PAGE_SIZE),
      EXPORT_PAGE_SIZE
    )) {
      yield [
        row.id,
        row.createdAt,
        row.kind,
        row.user.id,
        row.user.email,
        row.user.name,
        row.subject,
        row.athleteCount,
        row.minor,
        row.guardianName,
        row.guardianRelationship,
        row.scopes.join(' '),
        row.usage,
        row.signature,
        row.textVersion,
        row.textSha256,
        row.withdrawsRecordId,
        row.ip,
        row.userAgent,
        row.clips.map((clip) => clip.id).join(' '),
        row.clips.map((clip) => clip.title).join(' | '),
      ]
    }
  }

  /**
   * Licences, live or revoked, whose dataset version holds a withdrawn clip: each with its
   * buyer, version, clip and the withdrawal's date, newest withdrawal first.
   */
  async affectedLicences(limit = 500) {
    const rows: any[] = await db
      .from('consent_records as w')
      .join('consent_record_clips as rc', 'rc.consent_record_id', 'w.id')
      .join('clips as c', 'c.id', 'rc.clip_id')
      .join('dataset_version_clips as dvc', 'dvc.clip_id', 'c.id')
      .join('licences as l', 'l.dataset_version_id', 'dvc.dataset_version_id')
      .join('dataset_versions as dv', 'dv.id', 'l.dataset_version_id')
      .join('datasets as d', 'd.id', 'dv.dataset_id')
      .join('users as b', 'b.id', 'l.buyer_id')
      .where('w.kind', 'withdrawal')
      .orderBy('w.created_at', 'desc')
      .orderBy('w.id', 'desc')
      .orderBy('l.created_at', 'asc')
      .limit(limit)
      .select(
        'w.id as withdrawal_id',
        'w.created_at as withdrawn_at',
        'c.id as clip_id',
        'c.title as clip_title'
      )
      .select(
        'l.id as licence_id',
        'l.source',
        'l.licence_type',
        'l.created_at as licensed_at',
        'l.revoked_at',
        'l.revoke_reason'
      )
      .select(
        'b.id as buyer_id',
        'b.full_name as buyer_name',
        'b.company_name as buyer_company',
        'b.email as buyer_email'
      )
      .select('d.title as dataset_title', 'dv.id as dataset_version_id', 'dv.version')
    return rows.map((row) => ({
      withdrawalId: row.withdrawal_id as number,
      withdrawnAt: new Date(row.withdrawn_at),
      clip: { id: row.clip_id as string, title: row.clip_title as string },
      licenceId: row.licence_id as string,
      source: row.source as string,
      licenceType: row.licence_type as string,
      licensedAt: new Date(row.licensed_at),
      live: row.revoked_at === null,
      revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
      revokeReason: row.revoke_reason as string | null,
      buyer: {
        id: row.buyer_id as number,
        name: (row.buyer_company ?? row.buyer_name) as string,
        email: row.buyer_email as string,
      },
      dataset: {
        title: row.dataset_title as string,
        versionId: row.dataset_version_id as string,
        version: row.version as number,
      },
    }))
  }

  async #rows(
    parsed: ParsedConsentLogFilters,
    before: number | null,
    limit: number
  ): Promise<ConsentLogRow[]> {
    const query = this.#filtered(parsed)
      .select(
        'r.id',
        'r.kind',
        'r.created_at',
        'r.subject',
        'r.athlete_count',
        'r.guardian_name',
        'r.guardian_relationship'
      )
      .select(
        'r.scopes',
        'r.usage',
        'r.signature',
        'r.text_sha256',
        'r.withdraws_record_id',
        'r.user_agent'
      )
      .select(db.raw('host(r.ip) as ip'))
      .select(db.raw('coalesce(r.text_version, g.text_version) as text_version'))
      .select(db.raw('coalesce(r.text_sha256, g.text_sha256) as text_sha'))
      .select('u.id as user_id', 'u.full_name', 'u.email')
      .select(
        db.raw(`coalesce((SELECT json_agg(json_build_object('id', c.id, 'title', c.title) ORDER BY c.created_at, c.id)
          FROM consent_record_clips rc JOIN clips c ON c.id = rc.clip_id WHERE rc.consent_record_id = r.id), '[]'::json) as clips`)
      )
      .orderBy('r.id', 'desc')
      .limit(limit)
    if (before !== null) query.where('r.id', '<', before)
    const rows: any[] = await query
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      createdAt: new Date(row.created_at),
      user: { id: row.user_id, name: row.full_name, email: row.email },
      subject: row.subject,
      athleteCount: row.athlete_count,
      minor: row.subject === 'minor',
      guardianName: row.guardian_name,
      guardianRelationship: row.guardian_relationship,
      scopes: Array.isArray(row.scopes) ? row.scopes : [],
      usage: row.usage,
      signature: row.signature,
      textVersion: row.text_version,
      textSha256: row.text_sha?.trim() ?? null,
      withdrawsRecordId: row.withdraws_record_id,
      ip: row.ip,
      userAgent: row.user_agent,
      clips: row.clips,
    }))
  }

  #filtered({ where }: ParsedConsentLogFilters): DatabaseQueryBuilderContract<any> {
    const query = db
      .from('consent_records as r')
      .join('users as u', 'u.id', 'r.user_id')
      // A withdrawal cites no text of its own: it is filed under the version of the grant it ends.
      .leftJoin('consent_records as g', 'g.id', 'r.withdraws_record_id')
    if (where.user) {
      const pattern = `%${escapeLike(where.user)}%`
      query.where((sub) => sub.whereILike('u.email', pattern).orWhereILike('u.full_name', pattern))
    }
    if (where.clipId || where.clipTitle) {
      query.whereExists((sub) => {
        sub
          .from('consent_record_clips as rc')
          .join('clips as c', 'c.id', 'rc.clip_id')
          .whereRaw('rc.consent_record_id = r.id')
        if (where.clipId) sub.where('c.id', where.clipId)
        else sub.whereILike('c.title', `%${escapeLike(where.clipTitle!)}%`)
      })
    }
    if (where.version !== undefined)
      query.whereRaw('coalesce(r.text_version, g.text_version) = ?', [where.version])
    if (where.kind) query.where('r.kind', where.kind)
    if (where.since) query.where('r.created_at', '>=', where.since)
    if (where.until) query.where('r.created_at', '<', where.until)
    return query
  }
}
