import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import ConsentRecord from '#models/consent_record'
import type Licence from '#models/licence'
import type User from '#models/user'
import type { AckChannel } from '#models/withdrawal_ack'
import WithdrawalNotice from '#models/withdrawal_notice'
import type { JobContext } from '#jobs/registry'
import { MANIFEST_FILES, parseManifest } from '#app/datasets/public'
import { QueueService } from '#app/core/queue_service'
import { SettingsStore } from '#app/core/settings_store'
import { noticeErrors } from '#app/notices/errors'
import { WebhookService } from '#app/webhooks/public'
import {
  type NoticeView,
  apiNotice,
  noticeEventData,
  noticeView,
} from '#app/notices/notice_presenter'
import { mailNotices } from '#app/notices/withdrawal_notice_mail'

/** One notify job per withdrawal record, so a repeated dispatch is a no-op. */
export const notifyJobId = (withdrawalRecordId: number) => `notify-withdrawal-${withdrawalRecordId}`

/** Where admins stand with one affected licence of one withdrawal. */
export interface NoticeState {
  notifiedAt: DateTime
  emailedAt: DateTime | null
  webhook: { deliveredAt: DateTime | null; failedAt: DateTime | null; attempts: number } | null
  ack: { at: DateTime; via: AckChannel } | null
  /** Not confirmed within the `withdrawal_ack_days` setting. */
  overdue: boolean
}

/**
 * The paths of the clip in the licence's export. A version whose manifest cannot be read
 * still gets a notice, naming every path an export can hold for the clip.
 */
export function filesToDelete(manifest: unknown, clipId: string) {
  try {
    const clip = parseManifest(manifest).find((item) => item.id === clipId)
    if (clip) return clip.files.map((file) => file.path)
  } catch {
    // Not a readable manifest: fall through to the complete list.
  }
  return Object.values(MANIFEST_FILES).map((path) => path(clipId))
}

/**
 * Withdrawals reach the licence holders (GDPR Art. 17(2), 19): a notice per live licence whose
 * version holds the clip, naming the files to delete; an e-mail when SMTP is configured; a
 * signed webhook event when the buyer registered an endpoint; and the buyer's confirmation,
 * kept append-only. Keyed on the withdrawal record, whatever kind of withdrawal wrote it.
 */
@inject()
export class WithdrawalNoticeService {
  constructor(
    protected queue: QueueService,
    protected webhooks: WebhookService,
    protected settings: SettingsStore
  ) {}

  /** Queues the notify job of a committed withdrawal record. */
  async dispatch(withdrawalRecordId: number) {
    await this.queue.dispatch(
      'notify-withdrawal',
      { withdrawalRecordId },
      { jobId: notifyJobId(withdrawalRecordId) }
    )
  }

  /**
   * The same, for the withdrawal itself: called after its transaction commits, and never
   * failing it. The withdrawal stands (it is the creator's right); the admin's withdrawals
   * page shows the licences left without a notice, and dispatching again is safe.
   */
  async dispatchSafely(withdrawalRecordId: number) {
    try {
      await this.dispatch(withdrawalRecordId)
    } catch (error) {
      logger.error(
        { err: error, withdrawalRecordId, code: 'E_NOTICES_NOT_SCHEDULED' },
        'withdrawal notices not scheduled'
      )
    }
  }

  /**
   * The `notify-withdrawal` job: notices (once each), one webhook delivery per notice, then
   * the e-mails not sent yet. Every step is idempotent, so a retry does only what is left.
   */
  async notify(withdrawalRecordId: number, context: Pick<JobContext, 'jobId' | 'finalAttempt'>) {
    const log = { withdrawalRecordId, jobId: context.jobId }
    const record = await ConsentRecord.find(withdrawalRecordId)
    if (!record || record.kind !== 'withdrawal') {
      logger.warn(log, 'withdrawal notices skipped: no such withdrawal record')
      return
    }

    const affected: { clip_id: string; licence_id: string; buyer_id: number; manifest: unknown }[] =
      await db
        .from('consent_record_clips as rc')
        .join('dataset_version_clips as dvc', 'dvc.clip_id', 'rc.clip_id')
        .join('licences as l', 'l.dataset_version_id', 'dvc.dataset_version_id')
        .join('dataset_versions as dv', 'dv.id', 'dvc.dataset_version_id')
        .where('rc.consent_record_id', record.id)
        .whereNull('l.revoked_at')
        .select('rc.clip_id', 'l.id as licence_id', 'l.buyer_id', 'dv.manifest')
    if (affected.length) {
      await db
        .insertQuery()
        .table('withdrawal_notices')
        .insert(
          affected.map((row) => ({
            licence_id: row.licence_id,
            clip_id: row.clip_id,
            withdrawal_record_id: record.id,
            buyer_id: row.buyer_id,
            files: JSON.stringify(filesToDelete(row.manifest, row.clip_id)),
          }))
        )
        .knexQuery.onConflict(['licence_id', 'withdrawal_record_id', 'clip_id'])
        .ignore()
    }

    const notices = await this.#query().where('withdrawal_notices.withdrawal_record_id', record.id)
    for (const notice of notices) {
      const delivery = await this.webhooks.deliveryForNotice(
        notice.buyerId,
        notice.id,
        noticeEventData(notice)
      )
      if (delivery) await this.webhooks.dispatch(delivery)
    }
    const mailed = await mailNotices(
      notices.filter((notice) => !notice.emailedAt),
      log
    )
    logger.info({ ...log, notices: notices.length, mailed: mailed.sent }, 'withdrawal notices sent')
    if (mailed.failed && !context.finalAttempt) {
      throw new Error(
        'E_WITHDRAWAL_MAIL_FAILED: a withdrawal e-mail could not be sent; the job retries'
      )
    }
  }

  /** The buyer's notices not yet confirmed, newest first (the dashboard). */
  async pendingFor(buyer: User) {
    const notices = await this.#query()
      .where('withdrawal_notices.buyer_id', buyer.id)
      .doesntHave('ack')
      .orderBy('withdrawal_notices.created_at', 'desc')
      .orderBy('withdrawal_notices.id', 'desc')
    return notices.map(noticeView)
  }

  /** Every notice of a licence, newest first, confirmed or not (the licence page). */
  async forLicence(licence: Licence) {
    const notices = await this.#query()
      .where('withdrawal_notices.licence_id', licence.id)
      .orderBy('withdrawal_notices.created_at', 'desc')
      .orderBy('withdrawal_notices.id', 'desc')
    return notices.map(noticeView)
  }

  /** The buyer's notice of that licence, or a 404-coded error (another's reads as absent). */
  async find(buyer: User, licenceId: string, noticeId: number) {
    const notice = Number.isSafeInteger(noticeId)
      ? await this.#query()
          .where('withdrawal_notices.id', noticeId)
          .where('withdrawal_notices.licence_id', licenceId)
          .where('withdrawal_notices.buyer_id', buyer.id)
          .first()
      : null
    if (!notice) throw noticeErrors.raise('E_NOTICE_NOT_FOUND')
    return notice
  }

  /**
   * Records the buyer's confirmation that the files are deleted. Once: a second confirmation
   * writes nothing and answers with the first (`recorded: false`).
   */
  async acknowledge(
    buyer: User,
    licenceId: string,
    noticeId: number,
    via: AckChannel,
    ip: string | null
  ) {
    const notice = await this.find(buyer, licenceId, noticeId)
    const { rows } = await db.rawQuery(
      `INSERT INTO withdrawal_acks (notice_id, user_id, via, ip) VALUES (?, ?, ?, ?)
       ON CONFLICT (notice_id) DO NOTHING RETURNING id`,
      [notice.id, buyer.id, via, ip]
    )
    await notice.load('ack')
    if (rows.length)
      logger.info(
        { noticeId: notice.id, licenceId, userId: buyer.id, via },
        'withdrawal notice acknowledged'
      )
    return { notice: noticeView(notice), recorded: rows.length > 0 }
  }

  /**
   * For the admins' withdrawals page: per `<record>:<clip>:<licence>`, when the buyer was
   * notified, how (e-mail, webhook) and whether they confirmed.
   */
  async states(withdrawalRecordIds: number[]) {
    const states = new Map<string, NoticeState>()
    if (withdrawalRecordIds.length === 0) return states
    const days = await this.settings.get('withdrawal_ack_days')
    const rows: any[] = await db
      .from('withdrawal_notices as n')
      .leftJoin('withdrawal_acks as a', 'a.notice_id', 'n.id')
      .leftJoin('webhook_deliveries as d', 'd.notice_id', 'n.id')
      .whereIn('n.withdrawal_record_id', [...new Set(withdrawalRecordIds)])
      .select(
        'n.withdrawal_record_id',
        'n.clip_id',
        'n.licence_id',
        'n.created_at',
        'n.emailed_at',
        'a.created_at as ack_at',
        'a.via as ack_via',
        'd.id as delivery_id',
        'd.delivered_at',
        'd.failed_at',
        'd.attempts'
      )
    const deadline = DateTime.utc().minus({ days })
    for (const row of rows) {
      const notifiedAt = DateTime.fromJSDate(row.created_at)
      states.set(`${row.withdrawal_record_id}:${row.clip_id}:${row.licence_id}`, {
        notifiedAt,
        emailedAt: row.emailed_at ? DateTime.fromJSDate(row.emailed_at) : null,
        webhook: row.delivery_id
          ? {
              deliveredAt: row.delivered_at ? DateTime.fromJSDate(row.delivered_at) : null,
              failedAt: row.failed_at ? DateTime.fromJSDate(row.failed_at) : null,
              attempts: row.attempts,
            }
          : null,
        ack: row.ack_at ? { at: DateTime.fromJSDate(row.ack_at), via: row.ack_via } : null,
        overdue: !row.ack_at && notifiedAt < deadline,
      })
    }
    return states
  }

  /** The API's notice: the event's data with its state. */
  apiNotice(view: NoticeView) {
    return apiNotice(view)
  }

  #query() {
    return WithdrawalNotice.query()
      .preload('licence', (licence) =>
        licence.preload('datasetVersion', (version) => version.preload('dataset'))
      )
      .preload('clip')
      .preload('withdrawalRecord')
      .preload('ack')
  }
}
