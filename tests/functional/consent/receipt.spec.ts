import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { QueueService } from '#app/core/queue_service'
import { purgeJobId } from '#app/consent/consent_service'
import ConsentRecord from '#models/consent_record'
import { ConsentTextFactory } from '#database/factories/consent_text_factory'
import { ClipFactory } from '#database/factories/clip_factory'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { grantForm } from './helpers.js'

test.group('Consent: receipts', (group) => {
  group.each.setup(isolate)

  test('the JSON receipt says who, when, which text, which clips, how, and what was withdrawn', async ({
    client,
    assert,
  }) => {
    const text = await ConsentTextFactory.create()
    const creator = await makeUser('creator', { fullName: 'Ada Runner' })
    await client
      .post('/consent')
      .form(
        grantForm(text.id, {
          subject: 'minor',
          guardianName: 'Grace Runner',
          guardianRelationship: 'mother',
          usage: 'research',
        })
      )
      .header('user-agent', 'AtheraTest/receipt')
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    const grant = await ConsentRecord.query().where('user_id', creator.id).firstOrFail()
    const kept = await ClipFactory.merge({
      userId: creator.id,
      consentRecordId: grant.id,
      title: 'Kept clip',
    }).create()
    const gone = await ClipFactory.merge({
      userId: creator.id,
      consentRecordId: grant.id,
      title: 'Gone clip',
    }).create()
    await client.post(`/clips/${gone.id}/withdraw`).loginAs(creator).withCsrfToken().redirects(0)
    const withdrawal = await ConsentRecord.query().where('kind', 'withdrawal').firstOrFail()

    const response = await client.get(`/consents/${grant.id}/receipt.json`).loginAs(creator)

    response.assertStatus(200)
    assert.match(
      response.header('content-disposition') ?? '',
      /^attachment; filename="athera-consent-\d+\.json"$/
    )
    const receipt = JSON.parse(response.text())
    assert.equal(receipt.recordId, grant.id)
    assert.equal(receipt.kind, 'grant')
    assert.deepEqual(receipt.who, { userId: creator.id, name: 'Ada Runner', email: creator.email })
    assert.deepEqual(receipt.text, {
      id: text.id,
      version: text.version,
      sha256: text.sha256,
      title: text.title,
    })
    assert.deepEqual(receipt.scopes, ['processing', 'licensing'])
    assert.equal(receipt.usage, 'research')
    assert.equal(receipt.subject, 'minor')
    assert.deepEqual(receipt.guardian, { name: 'Grace Runner', relationship: 'mother' })
    assert.equal(receipt.signature, 'Ada Runner')
    assert.equal(receipt.userAgent, 'AtheraTest/receipt')
    assert.isString(receipt.ip)
    assert.isString(receipt.givenAt)
    assert.isFalse(receipt.withdrawn)
    const byTitle = Object.fromEntries(receipt.clips.map((clip: any) => [clip.title, clip]))
    assert.deepEqual(byTitle['Kept clip'], {
      id: kept.id,
      title: 'Kept clip',
      withdrawn: false,
      withdrawnAt: null,
      withdrawalRecordId: null,
    })
    assert.isTrue(byTitle['Gone clip'].withdrawn)
    assert.equal(byTitle['Gone clip'].withdrawalRecordId, withdrawal.id)
    assert.deepEqual(
      receipt.withdrawals.map((w: any) => [w.recordId, w.clipIds]),
      [[withdrawal.id, [gone.id]]]
    )
    const queueService = await app.container.make(QueueService)
    const job = await queueService.queue('purge-withdrawn-clip').getJob(purgeJobId(gone.id))
    await job?.remove()
  })

  test('the printable receipt shows the text hash and signature; others cannot read it', async ({
    client,
    assert,
  }) => {
    const text = await ConsentTextFactory.create()
    const creator = await makeUser('creator')
    await client
      .post('/consent')
      .form(grantForm(text.id))
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    const grant = await ConsentRecord.query().where('user_id', creator.id).firstOrFail()

    const mine = await client.get(`/consents/${grant.id}`).loginAs(creator)
    const admin = await client.get(`/consents/${grant.id}`).loginAs(await makeUser('admin'))
    const other = await client
      .get(`/consents/${grant.id}`)
      .header('accept', 'text/html')
      .loginAs(await makeUser('creator'))
    const otherJson = await client
      .get(`/consents/${grant.id}/receipt.json`)
      .loginAs(await makeUser('creator'))

    mine.assertStatus(200)
    mine.assertTextIncludes(text.sha256)
    mine.assertTextIncludes('Ada Runner')
    mine.assertTextIncludes('print:')
    admin.assertStatus(200)
    assert.equal(other.status(), 404)
    assert.equal(otherJson.status(), 404)
  })
})
