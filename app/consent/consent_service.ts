import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
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

/**
 * Consent as the creator gives and withdraws it: a grant bound to the current text, the
 * checks an upload makes against it, and a clip's withdrawal with its purge and notices.
 */
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

  /** The current text, or the coded refusal the consent form shows when there is none. */
  async requireCurrentText() {
    const text = await this.currentText()
    if (!text) throw consentErrors.raise('E_NO_CONSENT_TEXT')
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
      scopes: (['processing', 'licensing'] as const).filter((scope) =>
        input.scopes.includes(scope)
      ),
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
    const withdrawnIds = await withdrawnClipIds([clip.id])
    const withdrawn = withdrawnIds.has(clip.id)
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
        const withdrawnIds = await withdrawnClipIds([locked.id], trx)
        if (withdrawnIds.has(locked.id)) {
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
      logger.error(
        { err: error, clipId: clip.id, code: 'E_PURGE_NOT_SCHEDULED' },
        'purge of withdrawn clip not scheduled'
      )
    }
    return { clip, record, retentionDays: days, scope }
  }
}
