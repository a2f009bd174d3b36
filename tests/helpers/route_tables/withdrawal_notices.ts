import ConsentRecord from '#models/consent_record'
import WithdrawalNotice from '#models/withdrawal_notice'
import { ClipFactory } from '#database/factories/clip_factory'
import type { ParamFixture, RouteTable } from '#tests/helpers/route_tables/types'
import { makeUser } from '#tests/helpers/users'
import { licenceFor } from '#tests/helpers/exports'
import { emptyPublishedVersion } from '#tests/helpers/route_tables/fixtures'

const toLogin: [number, string] = [302, '/login']
const backToWebhook: [number, string] = [302, '/account/webhook']

/**
 * Withdrawal notices and webhooks. `:licenceId`/`:noticeId` are another buyer's licence and
 * its notice: only that buyer confirms it, so every role here is refused (a refused form goes
 * back to the referer, 302). The webhook pages are a buyer's: a buyer's PUT with no URL goes
 * back with the error; a test event or a new secret without an endpoint goes back to the page
 * with a sentence. API rows: another buyer's licence is a 404 to the buyer (ids cannot be
 * probed); creators' and admins' tokens 403; a suspended account's token 403.
 */
export const withdrawalNoticeRoutes: RouteTable = {
  'POST /licences/:licenceId/withdrawals/:noticeId/ack': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
  'GET /account/webhook': {
    anonymous: toLogin,
    creator: 403,
    buyer: 200,
    admin: 403,
    suspended: toLogin,
  },
  'PUT /account/webhook': {
    anonymous: toLogin,
    creator: backToWebhook,
    buyer: backToWebhook,
    admin: backToWebhook,
    suspended: toLogin,
  },
  'DELETE /account/webhook': {
    anonymous: toLogin,
    creator: backToWebhook,
    buyer: backToWebhook,
    admin: backToWebhook,
    suspended: toLogin,
  },
  'POST /account/webhook/test': {
    anonymous: toLogin,
    creator: [302, '/account/webhook/test'],
    buyer: backToWebhook,
    admin: [302, '/account/webhook/test'],
    suspended: toLogin,
  },
  'POST /account/webhook/secret': {
    anonymous: toLogin,
    creator: [302, '/account/webhook/secret'],
    buyer: backToWebhook,
    admin: [302, '/account/webhook/secret'],
    suspended: toLogin,
  },
  'GET /api/v1/licences/:licenceId/withdrawals': {
    anonymous: 401,
    creator: 403,
    buyer: 404,
    admin: 403,
    suspended: 403,
  },
  'POST /api/v1/licences/:licenceId/withdrawals/:noticeId/ack': {
    anonymous: 401,
    creator: 403,
    buyer: 404,
    admin: 403,
    suspended: 403,
  },
}

/**
 * Another buyer's licence with one notice, written directly (the fixture runs for every row
 * and role): an empty version, one clip and a withdrawal record of its grant.
 */
export const withdrawalNoticeParams: ParamFixture = async () => {
  const { version } = await emptyPublishedVersion()
  const licence = await licenceFor(await makeUser('buyer'), version)
  const clip = await ClipFactory.apply('approved').create()
  const grant = await ConsentRecord.findOrFail(clip.consentRecordId)
  const withdrawal = await ConsentRecord.create({
    userId: clip.userId,
    kind: 'withdrawal',
    consentTextId: null,
    textVersion: null,
    textSha256: null,
    subject: grant.subject,
    athleteCount: grant.athleteCount,
    scopes: grant.scopes,
    usage: grant.usage,
    signature: 'Route Table',
    withdrawsRecordId: grant.id,
  })
  const notice = await WithdrawalNotice.create({
    licenceId: licence.id,
    clipId: clip.id,
    withdrawalRecordId: withdrawal.id,
    buyerId: licence.buyerId,
    files: [`videos/${clip.id}.mp4`],
  })
  return { licenceId: licence.id, noticeId: String(notice.id) }
}
