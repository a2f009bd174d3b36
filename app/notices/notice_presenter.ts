import type { DateTime } from 'luxon'
import type { AckChannel } from '#models/withdrawal_ack'
import type WithdrawalNotice from '#models/withdrawal_notice'

/*
 * A withdrawal notice as it is shown and sent: the view pages and the e-mail render, the data of
 * the `clip.withdrawn` webhook event, and the API's notice. The notice must be loaded with its
 * licence (version and dataset), clip, withdrawal record and ack.
 */

/** A notice as pages show it. */
export interface NoticeView {
  id: number
  licenceId: string
  clipId: string
  clipTitle: string
  datasetTitle: string
  datasetSlug: string
  datasetVersionId: string
  version: number
  files: string[]
  withdrawnAt: DateTime
  notifiedAt: DateTime
  ack: { at: DateTime; via: AckChannel } | null
}

export function noticeView(notice: WithdrawalNotice): NoticeView {
  const version = notice.licence.datasetVersion
  return {
    id: notice.id,
    licenceId: notice.licenceId,
    clipId: notice.clipId,
    clipTitle: notice.clip.title,
    datasetTitle: version.dataset.title,
    datasetSlug: version.dataset.slug,
    datasetVersionId: version.id,
    version: version.version,
    files: notice.files,
    withdrawnAt: notice.withdrawalRecord.createdAt,
    notifiedAt: notice.createdAt,
    ack: notice.ack ? { at: notice.ack.createdAt, via: notice.ack.via } : null,
  }
}

/** A notice as the API and webhook events carry it (snake_case, ISO dates). */
export function noticeEventData(notice: WithdrawalNotice) {
  const view = noticeView(notice)
  return { notice_id: view.id, ...wire(view) }
}

/** The API's notice: the event's data with its state. */
export function apiNotice(view: NoticeView) {
  return {
    id: view.id,
    clip_title: view.clipTitle,
    ...wire(view),
    notified_at: view.notifiedAt.toUTC().toISO(),
    status: view.ack ? 'acknowledged' : 'pending',
    acknowledged_at: view.ack?.at.toUTC().toISO() ?? null,
    acknowledged_via: view.ack?.via ?? null,
  }
}

/** What the event and the API say of a notice alike. */
function wire(view: NoticeView) {
  return {
    licence_id: view.licenceId,
    dataset: { slug: view.datasetSlug, title: view.datasetTitle },
    version: { id: view.datasetVersionId, number: view.version },
    clip_id: view.clipId,
    files_to_delete: view.files,
    withdrawn_at: view.withdrawnAt.toUTC().toISO(),
    links: {
      acknowledge: `/api/v1/licences/${view.licenceId}/withdrawals/${view.id}/ack`,
      page: `/licences/${view.licenceId}`,
    },
  }
}
