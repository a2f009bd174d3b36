import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import { AuditTrail } from '#app/core/audit_trail'
import { consentErrors } from '#app/consent/errors'
import Clip from '#models/clip'
import ConsentRecord, {
  type ConsentScope,
  type ConsentSubject,
  type ConsentUsage,
} from '#models/consent_record'
import ConsentText from '#models/consent_text'
import type User from '#models/user'
import { QueueService } from '#app/core/queue_service'
import { SettingsStore } from '#app/core/settings_store'
import { withdrawnClipIds } from '#app/datasets/public'
import { WithdrawalNoticeService } from '#app/notices/public'

/** What a withdrawal ends: every use of the clip, or only its licensing (processing goes on). */
export type WithdrawalScope = 'all' | 'licensing'

/**
 * A grant covers one upload batch: the creator reads the text, signs, and uploads straight
 * away. After this long a new batch needs a new signature, so that a record never stands
 * for clips uploaded weeks later under a text that may have changed since.
 */
export const GRANT_USABLE_FOR_HOURS = 24

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * One purge per clip, so a repeated dispatch is a no-op. BullMQ refuses custom ids with a
 * single ':' (it reserves them for repeatable jobs), hence the hyphen.
 */
export const purgeJobId = (clipId: string) => `purge-withdrawn-clip-${clipId}`

export interface GrantInput {
  /** The text the form showed; a grant is refused if it is no longer the current one. */
  textId: number
  subject: ConsentSubject
  athleteCount?: number
  guardianName?: string | null
  guardianRelationship?: string | null
  scopes: ConsentScope[]
  usage: ConsentUsage
  signature: string
}

/** Where the request came from, kept as evidence with the record. */
export interface RequestEvidence {
  ip: string | null
  userAgent: string | null
}

export interface AffectedLicence {
  licenceId: string
  source: string
  licenceType: string
  grantedAt: string
  buyerId: number
  buyerName: string
  buyerCompany: string | null
  datasetId: string
  datasetTitle: string
  datasetVersionId: string
  datasetVersion: number
}

@inject()
export class ConsentService {
  constructor(
    protected queue: QueueService,
    protected settings: SettingsStore,
    protected notices: WithdrawalNoticeService
  ) {}

  /** The latest published text, or null on an instance where none was published. */
  currentText() {
    return ConsentText.query().orderBy('version', 'desc').first()
  }

  /** Every version, newest first, with how many consent records cite each. */
  async allTexts() {
    const texts = await ConsentText.query().preload('publisher').orderBy('version', 'desc')
    const counts: { consent_text_id: number; total: string }[] = await db
      .from('consent_records')
      .whereNotNull('consent_text_id')
      .groupBy('consent_text_id')
      .select('consent_text_id')
      .count('* as total')
    const byText = new Map(counts.map((row) => [row.consent_text_id, Number(row.total)]))
    return texts.map((text) => ({ text, records: byText.get(text.id) ?? 0 }))
  }

  /** Publishes the next version. Old versions stay as they are: records cite them. */
  async publishText(admin: User, input: { title: string; body: string }, ip: string | null = null) {
    // Browsers send textarea line breaks as CRLF; the hash is of the text as shown.
    const body = input.body.replace(/\r\n?/g, '\n')
    return db.transaction(async (trx) => {
      // Two admins publishing at once would both pick the same next version number.
      await trx.rawQuery(`SELECT pg_advisory_xact_lock(hashtext('consent_texts.version'))`)
      const row = await ConsentText.query({ client: trx }).max('version as max').first()
      const text = await ConsentText.create(
        {
          version: Number(row?.$extras.max ?? 0) + 1,
          title: input.title,
          body,
          sha256: ConsentText.hashBody(body),
          publishedAt: DateTime.now(),
          publishedBy: admin.id,
        },
        { client: trx }
      )
      await new AuditTrail().record(
        {
          actorId: admin.id,
          action: 'consent_text.published',
          subject: { type: 'consent_text', id: text.id },
          meta: { version: text.version, sha256: text.sha256, title: text.title },
          ip,
        },
        trx
      )
      return text
    })
  }

  /** The current text, or the coded refusal the consent form shows when there is none. */
  async requireCurrentText() {
    const text = await this.currentText()
    if (!text) throw consentErrors.raise('E_NO_CONSENT_TEXT')
    return text
  }

  /** One published version, exactly as published. */
  async text(id: number) {
    const text = Number.isSafeInteger(id) ? await ConsentText.query().where('id', id).preload('publisher').first() : null
    if (!text) throw consentErrors.raise('E_NOT_FOUND')
    return text
  }

  /**
   * Records a grant bound to the text the person read: its id, version and hash. If a new
   * version was published while the form was open, the grant is refused rather than bound
   * to wording the person never saw.
   */
  async grant(user: User, input: GrantInput, evidence: RequestEvidence) {
    const text = await this.requireCurrentText()
    if (text.id !== input.textId) {
      throw consentErrors.raise('E_TEXT_CHANGED', { version: text.version })
    }
    const minor = input.subject === 'minor'
    return ConsentRecord.create({
      userId: user.id,
      kind: 'grant',
      consentTextId: text.id,
      textVersion: text.version,
      textSha256: text.sha256,
      subject: input.subject,
      athleteCount: input.subject === 'coached_athletes' ? (input.athleteCount ?? 1) : 1,
      guardianName: minor ? (input.guardianName ?? null) : null,
      guardianRelationship: minor ? (input.guardianRelationship ?? null) : null,
      // Processing first, each scope once: the validator checks, the order is for readers.
      scopes: (['processing', 'licensing'] as const).filter((scope) => input.scopes.includes(scope)),
      usage: input.usage,
      signature: input.signature.trim(),
      ip: evidence.ip,
      userAgent: evidence.userAgent,
      withdrawsRecordId: null,
    })
  }

  /**
   * The grant an upload may cite, or a coded refusal. Usable for GRANT_USABLE_FOR_HOURS
   * after signing (one consent per upload batch), and not once anything under it was withdrawn.
   */
  async assertUsableGrant(user: User, recordId: number) {
    const record = await ConsentRecord.find(recordId)
    if (!record || record.kind !== 'grant') {
      throw consentErrors.raise('E_CONSENT_REQUIRED')
    }
    if (record.userId !== user.id) {
      throw consentErrors.raise('E_CONSENT_NOT_YOURS')
    }
    const withdrawal = await ConsentRecord.query().where('withdraws_record_id', record.id).first()
    if (withdrawal) {
      throw consentErrors.raise('E_CONSENT_WITHDRAWN')
    }
    if (record.createdAt < DateTime.now().minus({ hours: GRANT_USABLE_FOR_HOURS })) {
      throw consentErrors.raise('E_CONSENT_REQUIRED', { usableForHours: GRANT_USABLE_FOR_HOURS })
    }
    return record
  }

  /** Lists a clip under a grant; called by the upload in the transaction that creates the clip. */
  async attachClip(recordId: number, clipId: string, trx?: TransactionClientContract) {
    await (trx ?? db)
      .insertQuery()
      .table('consent_record_clips')
      .insert({ consent_record_id: recordId, clip_id: clipId })
      .knexQuery.onConflict(['consent_record_id', 'clip_id'])
      .ignore()
  }

  /** The creator's own clip, or a 404-coded error: someone else's clip is not shown to exist. */
  async ownClip(user: User, clipId: string) {
    if (!UUID.test(clipId)) throw consentErrors.raise('E_CLIP_NOT_FOUND')
    const clip = await Clip.query().where('id', clipId).where('user_id', user.id).first()
    if (!clip) throw consentErrors.raise('E_CLIP_NOT_FOUND')
    return clip
  }

  /** Whether the clip's grant covers licensing, and whether that was withdrawn since. */
  async licensingState(clip: Clip) {
    const grant = await ConsentRecord.findOrFail(clip.consentRecordId)
    const withdrawn = (await withdrawnClipIds([clip.id])).has(clip.id)
    return { granted: grant.scopes.includes('licensing'), withdrawn }
  }

  /**
   * Withdraws consent for one clip: a withdrawal record pointing at the clip's grant. With
   * scope `all`, the clip becomes `withdrawn` and the purge of its stored objects is scheduled
   * after the retention period. With scope `licensing`, the record withdraws licensing only:
   * the clip stays processed in the creator's library, leaves every dataset selection, and can
   * no longer enter a dataset version (the database refuses it from then on).
   */
  async withdraw(
    user: User,
    clipId: string,
    evidence: RequestEvidence & { reason?: string | null; scope?: WithdrawalScope }
  ) {
    if (!UUID.test(clipId)) throw consentErrors.raise('E_CLIP_NOT_FOUND')
    const scope = evidence.scope ?? 'all'
    const { clip, record } = await db.transaction(async (trx) => {
      // Locked, so two clicks at once cannot both write a withdrawal.
      const locked = await Clip.query({ client: trx })
        .where('id', clipId)
        .where('user_id', user.id)
        .forUpdate()
        .first()
      if (!locked) throw consentErrors.raise('E_CLIP_NOT_FOUND')
      if (locked.status === 'withdrawn') {
        throw consentErrors.raise('E_ALREADY_WITHDRAWN')
      }
      const grant = await ConsentRecord.findOrFail(locked.consentRecordId, { client: trx })
      if (scope === 'licensing') {
        if (!grant.scopes.includes('licensing')) {
          throw consentErrors.raise('E_NO_LICENSING_CONSENT')
        }
        if ((await withdrawnClipIds([locked.id], trx)).has(locked.id)) {
          throw consentErrors.raise('E_ALREADY_WITHDRAWN', { scope: 'licensing' })
        }
      }
      const withdrawal = await ConsentRecord.create(
        {
          userId: user.id,
          kind: 'withdrawal',
          consentTextId: null,
          textVersion: null,
          textSha256: null,
          subject: grant.subject,
          athleteCount: grant.athleteCount,
          guardianName: grant.guardianName,
          guardianRelationship: grant.guardianRelationship,
          scopes: scope === 'licensing' ? ['licensing'] : grant.scopes,
          usage: grant.usage,
          // Withdrawal is one click by the signed-in account (as easy as consent, Art. 7(3)):
          // the account's name stands where a grant has the typed signature.
          signature: user.fullName,
          ip: evidence.ip,
          userAgent: evidence.userAgent,
          withdrawsRecordId: grant.id,
        },
        { client: trx }
      )
      await this.attachClip(withdrawal.id, locked.id, trx)
      if (scope === 'licensing') {
        // Out of every dataset's next version at once; published versions keep it (append-only).
        await trx.from('dataset_clips').where('clip_id', locked.id).delete()
        return { clip: locked, record: withdrawal }
      }
      locked.status = 'withdrawn'
      locked.withdrawnAt = DateTime.now()
      if (evidence.reason) locked.statusReason = evidence.reason
      await locked.save()
      return { clip: locked, record: withdrawal }
    })

    const days = await this.settings.get('withdrawal_retention_days')
    // Licence holders are told of either kind of withdrawal (GDPR Art. 17(2), 19).
    await this.notices.dispatchSafely(record.id)
    if (scope === 'licensing') return { clip, record, retentionDays: days, scope }
    try {
      await this.queue.dispatch(
        'purge-withdrawn-clip',
        { clipId: clip.id },
        { jobId: purgeJobId(clip.id), delayMs: Math.max(0, days) * 86_400_000 }
      )
    } catch (error) {
      // The withdrawal stands (it is the creator's right); the admin's withdrawals page
      // shows the objects still stored, and the purge can be scheduled again.
      logger.error({ err: error, clipId: clip.id, code: 'E_PURGE_NOT_SCHEDULED' }, 'purge of withdrawn clip not scheduled')
    }
    return { clip, record, retentionDays: days, scope }
  }

  /** Licences still in force whose dataset version includes the clip. */
  async affectedLicences(clipId: string): Promise<AffectedLicence[]> {
    return (await this.#licencesFor([clipId])).get(clipId) ?? []
  }

  /** Every withdrawal, newest first, with its clip, creator and the licences it affects. */
  async withdrawalsWithAffectedLicences(limit = 200) {
    const rows: any[] = await db
      .from('consent_records as w')
      .join('consent_record_clips as rc', 'rc.consent_record_id', 'w.id')
      .join('clips as c', 'c.id', 'rc.clip_id')
      .join('users as u', 'u.id', 'w.user_id')
      .where('w.kind', 'withdrawal')
      .orderBy('w.created_at', 'desc')
      .orderBy('w.id', 'desc')
      .limit(limit)
      .select(
        'w.id as record_id',
        'w.created_at',
        'w.withdraws_record_id',
        'c.id as clip_id',
        'c.title as clip_title',
        'c.status_reason',
        'u.id as user_id',
        'u.full_name',
        'u.email',
        db.raw('(SELECT count(*) FROM clip_assets a WHERE a.clip_id = c.id)::int AS stored_objects')
      )
    const licences = await this.#licencesFor(rows.map((row) => row.clip_id))
    return rows.map((row) => ({
      recordId: row.record_id as number,
      withdrawnAt: new Date(row.created_at).toISOString(),
      grantId: row.withdraws_record_id as number,
      clip: { id: row.clip_id as string, title: row.clip_title as string },
      reason: row.status_reason as string | null,
      creator: { id: row.user_id as number, name: row.full_name as string, email: row.email as string },
      storedObjects: row.stored_objects as number,
      licences: licences.get(row.clip_id) ?? [],
    }))
  }

  async #licencesFor(clipIds: string[]) {
    const byClip = new Map<string, AffectedLicence[]>()
    if (clipIds.length === 0) return byClip
    const rows: any[] = await db
      .from('dataset_version_clips as dvc')
      .join('licences as l', 'l.dataset_version_id', 'dvc.dataset_version_id')
      .join('dataset_versions as dv', 'dv.id', 'dvc.dataset_version_id')
      .join('datasets as d', 'd.id', 'dv.dataset_id')
      .join('users as b', 'b.id', 'l.buyer_id')
      .whereIn('dvc.clip_id', [...new Set(clipIds)])
      .whereNull('l.revoked_at')
      .orderBy('l.created_at', 'asc')
      .select(
        'dvc.clip_id',
        'l.id as licence_id',
        'l.source',
        'l.licence_type',
        'l.created_at',
        'b.id as buyer_id',
        'b.full_name as buyer_name',
        'b.company_name',
        'd.id as dataset_id',
        'd.title as dataset_title',
        'dv.id as dataset_version_id',
        'dv.version'
      )
    for (const row of rows) {
      const list = byClip.get(row.clip_id) ?? []
      list.push({
        licenceId: row.licence_id,
        source: row.source,
        licenceType: row.licence_type,
        grantedAt: new Date(row.created_at).toISOString(),
        buyerId: row.buyer_id,
        buyerName: row.buyer_name,
        buyerCompany: row.company_name,
        datasetId: row.dataset_id,
        datasetTitle: row.dataset_title,
        datasetVersionId: row.dataset_version_id,
        datasetVersion: row.version,
      })
      byClip.set(row.clip_id, list)
    }
    return byClip
  }

  /** The creator's consent records, newest first, with the clips each names. */
  recordsOf(user: User) {
    return ConsentRecord.query()
      .where('user_id', user.id)
      .preload('clips', (query) => query.select('id', 'title', 'status'))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
  }

  /** A record the viewer may read: their own, or any for an admin. Others' read as not found. */
  async readableRecord(viewer: User, recordId: number) {
    const record = Number.isSafeInteger(recordId) ? await ConsentRecord.find(recordId) : null
    if (!record || (viewer.role !== 'admin' && record.userId !== viewer.id)) {
      throw consentErrors.raise('E_NOT_FOUND', { what: 'record' })
    }
    return record
  }

  /** Everything a consent record proves, as plain data (the printable page and the JSON). */
  async receipt(record: ConsentRecord) {
    await record.load('user')
    await record.load('clips', (query) => query.orderBy('created_at', 'asc'))
    if (record.consentTextId) await record.load('consentText')

    const withdrawals =
      record.kind === 'grant'
        ? await ConsentRecord.query()
            .where('withdraws_record_id', record.id)
            .preload('clips', (query) => query.select('id'))
            .orderBy('created_at', 'asc')
        : []
    // A withdrawal that includes processing ends the whole grant for the clip; one of
    // `licensing` alone ends its licensing only (the clip stays processed).
    const withdrawalOf = new Map<string, ConsentRecord>()
    const licensingWithdrawalOf = new Map<string, ConsentRecord>()
    for (const withdrawal of withdrawals) {
      const whole = withdrawal.scopes.includes('processing')
      for (const clip of withdrawal.clips) (whole ? withdrawalOf : licensingWithdrawalOf).set(clip.id, withdrawal)
    }

    const clips = record.clips.map((clip) => {
      const withdrawal = withdrawalOf.get(clip.id)
      const licensing = licensingWithdrawalOf.get(clip.id)
      return {
        id: clip.id,
        title: clip.title,
        withdrawn: Boolean(withdrawal),
        withdrawnAt: withdrawal?.createdAt.toISO() ?? null,
        withdrawalRecordId: withdrawal?.id ?? null,
        ...(licensing ? { licensingWithdrawnAt: licensing.createdAt.toISO(), licensingWithdrawalRecordId: licensing.id } : {}),
      }
    })

    return {
      recordId: record.id,
      kind: record.kind,
      givenAt: record.createdAt.toISO(),
      who: { userId: record.user.id, name: record.user.fullName, email: record.user.email },
      text: record.consentText
        ? {
            id: record.consentText.id,
            version: record.textVersion,
            sha256: record.textSha256,
            title: record.consentText.title,
          }
        : null,
      withdrawsRecordId: record.withdrawsRecordId,
      clips,
      scopes: record.scopes,
      usage: record.usage,
      subject: record.subject,
      athleteCount: record.athleteCount,
      guardian: record.guardianName
        ? { name: record.guardianName, relationship: record.guardianRelationship }
        : null,
      signature: record.signature,
      ip: record.ip,
      userAgent: record.userAgent,
      // A grant is withdrawn once every clip it covers is; each clip says which record did it.
      withdrawn: record.kind === 'grant' && clips.length > 0 && clips.every((clip) => clip.withdrawn),
      withdrawals: withdrawals.map((withdrawal) => ({
        recordId: withdrawal.id,
        at: withdrawal.createdAt.toISO(),
        scopes: withdrawal.scopes,
        clipIds: withdrawal.clips.map((clip) => clip.id),
      })),
    }
  }
}

export type ConsentReceipt = Awaited<ReturnType<ConsentService['receipt']>>
