import { test } from '@japa/runner'
import AuditLog from '#models/audit_log'
import ConsentRecord from '#models/consent_record'
import ConsentText from '#models/consent_text'
import { ConsentTextFactory } from '#database/factories/consent_text_factory'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { fieldErrors } from '#tests/helpers/forms'
import { grantForm } from './helpers.js'

const V2_BODY =
  'Version two.\r\nWe now also describe how keypoints are smoothed before they are licensed.'

test.group('Consent: admin publishes consent texts', (group) => {
  group.each.setup(isolate)

  test('publishing v2 makes new grants cite v2 while earlier records keep v1', async ({
    client,
    assert,
  }) => {
    const v1 = await ConsentTextFactory.create()
    const admin = await makeUser('admin')
    const creator = await makeUser('creator')
    await client
      .post('/consent')
      .form(grantForm(v1.id))
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    const published = await client
      .post('/admin/consent-texts')
      .form({ title: 'Consent, second edition', body: V2_BODY })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)

    assert.equal(published.header('location'), '/admin/consent-texts')
    const v2 = await ConsentText.query().orderBy('version', 'desc').firstOrFail()
    assert.equal(v2.version, v1.version + 1)
    assert.equal(v2.publishedBy, admin.id)
    // Line breaks as shown, and the hash of exactly that.
    assert.equal(v2.body, V2_BODY.replace('\r\n', '\n'))
    assert.equal(v2.sha256, ConsentText.hashBody(V2_BODY.replace('\r\n', '\n')))
    await v1.refresh()
    assert.equal(v1.title, 'Consent to processing and licensing of sports video')

    const log = await AuditLog.query().where('action', 'consent_text.published').firstOrFail()
    assert.equal(log.actorId, admin.id)
    assert.equal(log.subjectId, String(v2.id))
    assert.equal(log.meta.sha256, v2.sha256)

    await client
      .post('/consent')
      .form(grantForm(v2.id))
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    const records = await ConsentRecord.query().where('user_id', creator.id).orderBy('id', 'asc')
    assert.deepEqual(
      records.map((r) => [r.textVersion, r.textSha256]),
      [
        [v1.version, v1.sha256],
        [v2.version, v2.sha256],
      ]
    )
  })

  test('the versions page lists every version with its hash and record count', async ({
    client,
  }) => {
    const v1 = await ConsentTextFactory.create()
    const v2 = await ConsentTextFactory.create()
    const admin = await makeUser('admin')
    const creator = await makeUser('creator')
    await client
      .post('/consent')
      .form(grantForm(v2.id))
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    const index = await client.get('/admin/consent-texts').loginAs(admin)
    const show = await client.get(`/admin/consent-texts/${v1.id}`).loginAs(admin)

    index.assertStatus(200)
    index.assertTextIncludes(`data-version="${v2.version}"`)
    index.assertTextIncludes(v1.sha256.slice(0, 16))
    index.assertTextIncludes('data-records="1"')
    show.assertStatus(200)
    show.assertTextIncludes(v1.sha256)
    show.assertTextIncludes(v1.body.split('\n')[0])
  })

  test('a text too short is refused with a form error', async ({ client, assert }) => {
    const admin = await makeUser('admin')

    const response = await client
      .post('/admin/consent-texts')
      .form({ title: 'Short', body: 'Too short.' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)

    assert.equal(fieldErrors(response, 'body')[0], 'The text must be at least 50 characters.')
    assert.lengthOf(await ConsentText.all(), 0)
  })

  test('a creator cannot publish a text', async ({ client, assert }) => {
    const creator = await makeUser('creator')

    await client
      .post('/admin/consent-texts')
      .form({ title: 'Mine', body: 'x'.repeat(80) })
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    assert.lengthOf(await ConsentText.all(), 0)
  })
})
