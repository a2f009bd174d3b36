import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import mail from '@adonisjs/mail/services/main'
import config from '#config/athera'
import WithdrawalNotice from '#models/withdrawal_notice'
import { QueueService } from '#app/core/queue_service'
import { SettingsStore } from '#app/core/settings_store'
import { notifyJobId } from '#app/notices/withdrawal_notice_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { licenceFor } from '#tests/helpers/exports'
import {
  forgetJobs,
  noticeOf,
  runNotify,
  withdrawnLicensedClip,
} from '#tests/helpers/withdrawal_notices'
import { attempt } from './helpers.js'

const FILES = (clipId: string) => [
  `videos/${clipId}.mp4`,
  `keypoints/${clipId}.json`,
  `metadata/${clipId}.json`,
  `thumbnails/${clipId}.jpg`,
]

test.group('Withdrawal notices: the licence holders are told', (group) => {
  group.each.setup(isolate)
  group.each.teardown(() => {
    mail.restore()
    config.mail.enabled = false
  })

  test('withdrawing a clip queues one notify job, keyed on the withdrawal record', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const { ClipFactory } = await import('#database/factories/clip_factory')
    const clip = await ClipFactory.apply('approved').merge({ userId: creator.id }).create()

    await client.post(`/clips/${clip.id}/withdraw`).loginAs(creator).withCsrfToken().redirects(0)

    const record = await db
      .from('consent_records')
      .where('kind', 'withdrawal')
      .where('user_id', creator.id)
      .firstOrFail()
    const queue = await app.container.make(QueueService)
    const job = await queue.queue('notify-withdrawal').getJob(notifyJobId(record.id))
    assert.exists(job, 'the notify job is queued')
    assert.deepEqual(job!.data, { withdrawalRecordId: record.id })
    await forgetJobs(record.id, clip.id)
  })

  test('a notify job that cannot be queued leaves the withdrawal standing', async ({
    client,
    assert,
    cleanup,
  }) => {
    const creator = await makeUser('creator')
    const { ClipFactory } = await import('#database/factories/clip_factory')
    const clip = await ClipFactory.apply('approved').merge({ userId: creator.id }).create()
    const queue = await app.container.make(QueueService)
    const dispatch = queue.dispatch.bind(queue)
    const refused: string[] = []
    queue.dispatch = (async (name: string, ...rest: any[]) => {
      if (name === 'notify-withdrawal') {
        refused.push(name)
        throw new Error('redis is down')
      }
      return (dispatch as any)(name, ...rest)
    }) as typeof queue.dispatch
    cleanup(() => {
      queue.dispatch = dispatch
    })

    const response = await client
      .post(`/clips/${clip.id}/withdraw`)
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    assert.deepEqual(refused, ['notify-withdrawal'], 'the dispatch was tried, and failed')
    await clip.refresh()
    assert.equal(clip.status, 'withdrawn')
    const record = await db
      .from('consent_records')
      .where('kind', 'withdrawal')
      .where('user_id', creator.id)
      .firstOrFail()
    assert.equal(response.header('location'), `/consents/${record.id}`)
    await forgetJobs(record.id, clip.id)
  })

  test('the job gives each live licence one notice naming the files of its export, and only once', async ({
    assert,
  }) => {
    const { licence, clip, published, record } = await withdrawnLicensedClip()
    const luxon = await import('luxon')
    const revoked = await licenceFor(await makeUser('buyer'), published.version, {
      revokedAt: luxon.DateTime.now(),
      revokeReason: 'refund',
    })

    const first = await runNotify(record.id)
    const again = await runNotify(record.id)

    assert.lengthOf(first, 1)
    assert.equal(first[0].licenceId, licence.id)
    assert.equal(first[0].clipId, clip.id)
    assert.equal(first[0].buyerId, licence.buyerId)
    assert.deepEqual(first[0].files, FILES(clip.id), 'the paths of the clip in the manifest')
    assert.deepEqual(
      again.map((notice) => notice.id),
      [first[0].id],
      'a second run writes nothing new'
    )
    assert.lengthOf(
      await WithdrawalNotice.query().where('licence_id', revoked.id),
      0,
      'a revoked licence gets no notice'
    )
  })

  test('with SMTP the buyer gets one e-mail naming the files, once', async ({ assert }) => {
    config.mail.enabled = true
    const { messages } = mail.fake()
    const { buyer, clip, record } = await withdrawnLicensedClip()

    await runNotify(record.id)
    await runNotify(record.id)

    messages.assertSentCount(1)
    const [message] = messages.sent()
    assert.deepEqual(message.nodeMailerMessage.to, [buyer.email] as any)
    const html = message.nodeMailerMessage.html as string
    for (const path of FILES(clip.id)) assert.include(html, path)
    assert.include(html, '/buyer')
    const notice = await WithdrawalNotice.findByOrFail('clip_id', clip.id)
    assert.isNotNull(notice.emailedAt)
  })

  test('without SMTP no e-mail is tried; the dashboard notice is the channel', async ({
    assert,
  }) => {
    const { messages } = mail.fake()
    const { record } = await withdrawnLicensedClip()

    const notices = await runNotify(record.id)

    messages.assertNoneSent()
    assert.lengthOf(notices, 1)
    assert.isNull(notices[0].emailedAt)
  })

  test('the dashboard shows the notice until the buyer confirms; a second confirmation records nothing', async ({
    client,
    assert,
  }) => {
    const { buyer, licence, clip, record } = await withdrawnLicensedClip()
    await runNotify(record.id)
    const notice = await noticeOf(licence)

    const dashboard = await client.get('/buyer').loginAs(buyer)
    dashboard.assertStatus(200)
    dashboard.assertTextIncludes('data-testid="withdrawal-notices"')
    dashboard.assertTextIncludes(`data-notice="${notice.id}"`)
    dashboard.assertTextIncludes(`videos/${clip.id}.mp4`)
    dashboard.assertTextIncludes(`action="/licences/${licence.id}/withdrawals/${notice.id}/ack"`)
    dashboard.assertTextIncludes('I have deleted these files')

    const ack = await client
      .post(`/licences/${licence.id}/withdrawals/${notice.id}/ack`)
      .loginAs(buyer)
      .withCsrfToken()
      .header('referer', '/buyer')
      .redirects(0)
    ack.assertStatus(302)
    ack.assertFlashMessage('success', 'Recorded: you confirmed that these files are deleted.')
    const again = await client
      .post(`/licences/${licence.id}/withdrawals/${notice.id}/ack`)
      .loginAs(buyer)
      .withCsrfToken()
      .header('referer', '/buyer')
      .redirects(0)
    again.assertFlashMessage('success', 'You had already confirmed deleting these files.')

    const acks = await db.from('withdrawal_acks').where('notice_id', notice.id)
    assert.lengthOf(acks, 1)
    assert.equal(acks[0].user_id, buyer.id)
    assert.equal(acks[0].via, 'page')
    const after = await client.get('/buyer').loginAs(buyer)
    assert.notInclude(after.text(), `data-notice="${notice.id}"`)
    const page = await client.get(`/licences/${licence.id}`).loginAs(buyer)
    page.assertTextIncludes(`data-notice-state="acknowledged"`)
    page.assertTextIncludes('Confirmed deleted')
  })

  test('htmx gets the confirmed notice back to swap in place', async ({ client }) => {
    const { buyer, licence, record } = await withdrawnLicensedClip()
    await runNotify(record.id)
    const notice = await noticeOf(licence)

    const response = await client
      .post(`/licences/${licence.id}/withdrawals/${notice.id}/ack`)
      .header('HX-Request', 'true')
      .loginAs(buyer)
      .withCsrfToken()

    response.assertStatus(200)
    response.assertTextIncludes(`id="withdrawal-notice-${notice.id}"`)
    response.assertTextIncludes('data-notice-state="acknowledged"')
  })

  test('the licence page lists the notice; an admin sees its state without the button', async ({
    client,
    assert,
  }) => {
    const { buyer, licence, record } = await withdrawnLicensedClip()
    await runNotify(record.id)
    const notice = await noticeOf(licence)

    const own = await client.get(`/licences/${licence.id}`).loginAs(buyer)
    own.assertTextIncludes(`data-notice="${notice.id}"`)
    own.assertTextIncludes('data-ack-button')
    const admin = await client.get(`/licences/${licence.id}`).loginAs(await makeUser('admin'))
    admin.assertTextIncludes(`data-notice="${notice.id}"`)
    admin.assertTextIncludes('Not confirmed yet.')
    assert.notInclude(admin.text(), 'data-ack-button')
  })

  test('only the licence’s buyer confirms; a notice of another licence is not found', async ({
    client,
    assert,
  }) => {
    const { buyer, licence, record } = await withdrawnLicensedClip()
    await runNotify(record.id)
    const notice = await noticeOf(licence)
    const stranger = await makeUser('buyer')
    const admin = await makeUser('admin')
    const other = await withdrawnLicensedClip()
    await runNotify(other.record.id)

    for (const user of [stranger, admin]) {
      const refused = await client
        .post(`/licences/${licence.id}/withdrawals/${notice.id}/ack`)
        .header('accept', 'text/html')
        .loginAs(user)
        .withCsrfToken()
        .redirects(0)
      assert.equal(refused.status(), 302)
      assert.equal(
        refused.flashMessages()?.error,
        'Only the holder of this licence can confirm that its withdrawn files are deleted.'
      )
    }
    const otherNotice = await noticeOf(other.licence)
    const mismatched = await client
      .post(`/licences/${licence.id}/withdrawals/${otherNotice.id}/ack`)
      .header('accept', 'text/html')
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    assert.equal(mismatched.status(), 404)
    assert.lengthOf(await db.from('withdrawal_acks'), 0)
  })

  test('acknowledgements are append-only in the database', async ({ client, assert }) => {
    const { buyer, licence, record } = await withdrawnLicensedClip()
    await runNotify(record.id)
    const notice = await noticeOf(licence)
    await client
      .post(`/licences/${licence.id}/withdrawals/${notice.id}/ack`)
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)

    await assert.rejects(
      () => attempt('UPDATE withdrawal_acks SET via = ? WHERE notice_id = ?', ['api', notice.id]),
      /withdrawal_acks is append-only/
    )
    await assert.rejects(
      () => attempt('DELETE FROM withdrawal_acks WHERE notice_id = ?', [notice.id]),
      /withdrawal_acks is append-only/
    )
    const [row] = await db.from('withdrawal_acks').where('notice_id', notice.id)
    assert.equal(row.via, 'page')
  })

  test('the admin sees, per affected licence, notified, confirmed, and overdue after the set days', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const { buyer, licence, record } = await withdrawnLicensedClip()
    await runNotify(record.id)
    const notice = await noticeOf(licence)
    await new SettingsStore().set('withdrawal_ack_days', 7)

    const fresh = await client.get('/admin/withdrawals').loginAs(admin)
    fresh.assertTextIncludes(`data-licence="${licence.id}"`)
    fresh.assertTextIncludes('data-notice-state="notified"')
    fresh.assertTextIncludes('not confirmed yet')

    await db
      .from('withdrawal_notices')
      .where('id', notice.id)
      .update({ created_at: db.raw(`now() - interval '8 days'`) })
    const late = await client.get('/admin/withdrawals').loginAs(admin)
    late.assertTextIncludes('data-notice-state="overdue"')
    late.assertTextIncludes('not confirmed after 7 days')

    await client
      .post(`/licences/${licence.id}/withdrawals/${notice.id}/ack`)
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    const confirmed = await client.get('/admin/withdrawals').loginAs(admin)
    confirmed.assertTextIncludes('data-notice-state="confirmed"')
    assert.match(confirmed.text(), /Confirmed \d+ \w+ \d{4} \d\d:\d\d UTC \(page\)/)
  })
})
