import logger from '@adonisjs/core/services/logger'
import mail from '@adonisjs/mail/services/main'
import { DateTime } from 'luxon'
import config from '#config/athera'
import env from '#start/env'
import User from '#models/user'
import WithdrawalNotice from '#models/withdrawal_notice'
import { noticeView } from '#app/notices/notice_presenter'

/**
 * One e-mail per buyer listing their new notices, when SMTP is configured; each notice is marked
 * e-mailed once its message went out. A failed send is counted, logged and left unmarked, so the
 * notify job's retry sends it again.
 */
export async function mailNotices(notices: WithdrawalNotice[], log: Record<string, unknown>) {
  const result = { sent: 0, failed: 0 }
  if (!config.mail.enabled || notices.length === 0) return result
  const byBuyer = new Map<number, WithdrawalNotice[]>()
  for (const notice of notices)
    byBuyer.set(notice.buyerId, [...(byBuyer.get(notice.buyerId) ?? []), notice])
  const buyers = await User.query().whereIn('id', [...byBuyer.keys()])
  for (const buyer of buyers) {
    const own = byBuyer.get(buyer.id)!
    try {
      await mail.send((message) => {
        message
          .to(buyer.email)
          .subject(
            own.length === 1
              ? 'A clip you licensed was withdrawn: delete its files'
              : `${own.length} clips you licensed were withdrawn: delete their files`
          )
          .htmlView('emails/withdrawal_notice', {
            buyer,
            notices: own.map((notice) => noticeView(notice)),
            dashboardUrl: new URL('/buyer', env.get('APP_URL')).toString(),
          })
      })
      // Sent before marked: a crash in between sends it again rather than never.
      await WithdrawalNotice.query()
        .whereIn(
          'id',
          own.map((notice) => notice.id)
        )
        .update({ emailed_at: DateTime.utc().toJSDate() })
      result.sent++
    } catch (error) {
      result.failed++
      logger.error(
        { ...log, err: error, userId: buyer.id, code: 'E_WITHDRAWAL_MAIL_FAILED' },
        'withdrawal notice e-mail could not be sent'
      )
    }
  }
  return result
}
