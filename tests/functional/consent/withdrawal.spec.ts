import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import Clip from '#models/clip'
import ConsentRecord from '#models/consent_record'
import { QueueService } from '#app/core/queue_service'
import { SettingsStore } from '#app/core/settings_store'
import { purgeJobId } from '#app/consent/consent_service'
import { AffectedLicences } from '#app/consent/affected_licences'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { attempt, clipOf, licensedVersionWith } from './helpers.js'

async function purgeJob(clipId: string) {
  const queue = await app.container.make(QueueService)
  return queue.queue('purge-withdrawn-clip').getJob(purgeJobId(clipId))
}

test.group('Consent: withdrawing a clip', (group) => {
  group.each.setup(isolate)

  test('the confirmation page says what happens, with the retention period', async ({ client }) => {
    const creator = await makeUser('creator')
    const clip = await clipOf(creator)
    await new SettingsStore().set('withdrawal_retention_days', 30)

    const response = await client.get(`/clips/${clip.id}/withdraw`).loginAs(creator)

    response.assertStatus(200)
    response.assertTextIncludes('Processing stops')
    response.assertTextIncludes('deleted after 30 days')
    response.assertTextIncludes('Licences already sold')
    response.assertTextIncludes(`action="/clips/${clip.id}/withdraw"`)
  })

  test('withdrawal records a withdrawal of the grant, withdraws the clip and schedules the purge', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const clip = await clipOf(creator)
    await new SettingsStore().set('withdrawal_retention_days', 7)

    const response = await client
      .post(`/clips/${clip.id}/withdraw`)
      .form({ reason: 'I changed my mind' })
      .header('user-agent', 'AtheraTest/withdraw')
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    const withdrawal = await ConsentRecord.query()
      .where('kind', 'withdrawal')
      .where('user_id', creator.id)
      .preload('clips')
      .firstOrFail()
    response.assertStatus(302)
    assert.equal(response.header('location'), `/consents/${withdrawal.id}`)
    assert.equal(withdrawal.withdrawsRecordId, clip.consentRecordId)
    assert.deepEqual(
      withdrawal.clips.map((c) => c.id),
      [clip.id]
    )
    const grant = await ConsentRecord.findOrFail(clip.consentRecordId)
    assert.deepEqual(withdrawal.scopes, grant.scopes)
    assert.equal(withdrawal.userAgent, 'AtheraTest/withdraw')

    await clip.refresh()
    assert.equal(clip.status, 'withdrawn')
    assert.isNotNull(clip.withdrawnAt)
    assert.equal(clip.statusReason, 'I changed my mind')

    const job = await purgeJob(clip.id)
    assert.exists(job, 'the purge job is queued')
    assert.deepEqual(job!.data, { clipId: clip.id })
    assert.equal(job!.opts.delay, 7 * 86_400_000)
    await job!.remove()
  })

  test('withdrawing twice is refused clearly and writes nothing more', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const clip = await clipOf(creator)
    const first = await client
      .post(`/clips/${clip.id}/withdraw`)
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    first.assertStatus(302)

    const second = await client
      .post(`/clips/${clip.id}/withdraw`)
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    assert.equal(second.header('location'), `/clips/${clip.id}/withdraw`)
    assert.equal(
      second.flashMessages()?.error,
      'Consent for this clip is already withdrawn; nothing more to do.'
    )
    const withdrawals = await ConsentRecord.query()
      .where('kind', 'withdrawal')
      .where('user_id', creator.id)
    assert.lengthOf(withdrawals, 1)
    const job = await purgeJob(clip.id)
    await job?.remove()
  })

  test('another creator’s clip cannot be withdrawn, nor its page opened', async ({
    client,
    assert,
  }) => {
    const owner = await makeUser('creator')
    const clip = await clipOf(owner)
    const other = await makeUser('creator')

    const page = await client.get(`/clips/${clip.id}/withdraw`).loginAs(other)
    const post = await client
      .post(`/clips/${clip.id}/withdraw`)
      .loginAs(other)
      .withCsrfToken()
      .redirects(0)

    assert.equal(page.status(), 404)
    assert.equal(post.status(), 404)
    await clip.refresh()
    assert.equal(clip.status, 'approved')
    assert.lengthOf(await ConsentRecord.query().where('kind', 'withdrawal'), 0)
  })

  test('a withdrawn or rejected clip cannot enter a dataset version (database guard)', async ({
    assert,
  }) => {
    const creator = await makeUser('creator')
    const buyer = await makeUser('buyer')
    const clip = await clipOf(creator)
    const { version } = await licensedVersionWith(clip, buyer)
    const withdrawn = await clipOf(creator)
    await db
      .from('clips')
      .where('id', withdrawn.id)
      .update({ status: 'withdrawn', withdrawn_at: new Date() })

    await assert.rejects(
      () =>
        attempt(
          'INSERT INTO dataset_version_clips (dataset_version_id, clip_id, position, seconds) VALUES (?, ?, 1, 5)',
          [version.id, withdrawn.id]
        ),
      /E_CLIP_NOT_LICENSABLE: clip .* cannot enter a \w+ dataset version \(withdrawn\)/
    )
    const approved = await clipOf(creator)
    await attempt(
      'INSERT INTO dataset_version_clips (dataset_version_id, clip_id, position, seconds) VALUES (?, ?, 2, 5)',
      [version.id, approved.id]
    )
  })

  test('the admin sees each withdrawal with the licences it affects', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator', { fullName: 'Wanda Withdrawer' })
    const buyer = await makeUser('buyer', { companyName: 'Pose Labs GmbH' })
    const admin = await makeUser('admin')
    const clip = await clipOf(creator)
    // Licensed before the withdrawal: withdrawn clips cannot enter new versions.
    const { licence, dataset } = await licensedVersionWith(clip, buyer)
    const revoked = await licensedVersionWith(
      clip,
      await makeUser('buyer', { companyName: 'Refunded Inc' })
    )
    await db
      .from('licences')
      .where('id', revoked.licence.id)
      .update({ revoked_at: new Date(), revoke_reason: 'refund' })
    await client.post(`/clips/${clip.id}/withdraw`).loginAs(creator).withCsrfToken().redirects(0)

    const service = await app.container.make(AffectedLicences)
    const affected = await service.affectedLicences(clip.id)
    const response = await client.get('/admin/withdrawals').loginAs(admin)

    assert.deepEqual(
      affected.map((l) => l.licenceId),
      [licence.id]
    )
    assert.equal(affected[0].buyerCompany, 'Pose Labs GmbH')
    assert.equal(affected[0].datasetTitle, dataset.title)
    response.assertStatus(200)
    response.assertTextIncludes('Wanda Withdrawer')
    response.assertTextIncludes(clip.id)
    response.assertTextIncludes(`data-licence="${licence.id}"`)
    response.assertTextIncludes('Pose Labs GmbH')
    assert.notInclude(response.text(), 'Refunded Inc')
    const job = await purgeJob(clip.id)
    await job?.remove()
  })

  test('a buyer reaches none of the consent pages', async ({ client, assert }) => {
    const buyer = await makeUser('buyer')
    const clip = await clipOf(await makeUser('creator'))
    const urls = [
      '/consent/new',
      '/consents',
      `/consents/${clip.consentRecordId}`,
      `/consents/${clip.consentRecordId}/receipt.json`,
      `/clips/${clip.id}/withdraw`,
      '/admin/consent-texts',
      '/admin/withdrawals',
    ]

    for (const url of urls) {
      const response = await client
        .get(url)
        .header('accept', 'text/html')
        .loginAs(buyer)
        .redirects(0)
      assert.equal(response.status(), 403, url)
    }
    const post = await client
      .post(`/clips/${clip.id}/withdraw`)
      .header('accept', 'text/html')
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    // Bouncer answers a refused form submission by sending it back with the refusal flashed.
    assert.equal(post.status(), 302)
    assert.equal(post.flashMessages()?.error, 'Access denied')
    const storedClip = await Clip.findOrFail(clip.id)
    assert.equal(storedClip.status, 'approved')
  })
})
