import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import ConsentRecord from '#models/consent_record'
import { ConsentTextFactory } from '#database/factories/consent_text_factory'
import { ConsentRecordFactory } from '#database/factories/consent_record_factory'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { fieldErrors } from '#tests/helpers/forms'
import { attempt, grantForm } from './helpers.js'

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AtheraTest/1.0'

test.group('Consent: giving consent', (group) => {
  group.each.setup(isolate)

  test('the form shows the full current text with its version and hash', async ({ client }) => {
    await ConsentTextFactory.create()
    const text = await ConsentTextFactory.merge({
      body: 'Version two wording that people read before signing the form.',
    }).create()
    const creator = await makeUser('creator')

    const response = await client.get('/consent/new').loginAs(creator)

    response.assertStatus(200)
    response.assertTextIncludes(text.body)
    response.assertTextIncludes(`Version ${text.version}`)
    response.assertTextIncludes(text.sha256)
    response.assertTextIncludes(`name="textId" value="${text.id}"`)
  })

  test('a grant stores the exact text version and hash, the ip and the browser', async ({
    client,
    assert,
  }) => {
    const text = await ConsentTextFactory.create()
    const creator = await makeUser('creator')

    const response = await client
      .post('/consent')
      .form(grantForm(text.id))
      .header('user-agent', BROWSER)
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    const record = await ConsentRecord.query().where('user_id', creator.id).firstOrFail()
    response.assertStatus(302)
    assert.equal(response.header('location'), `/upload?consent=${record.id}`)
    assert.equal(record.kind, 'grant')
    assert.equal(record.consentTextId, text.id)
    assert.equal(record.textVersion, text.version)
    assert.equal(record.textSha256, text.sha256)
    assert.deepEqual(record.scopes, ['processing', 'licensing'])
    assert.equal(record.usage, 'research_and_commercial')
    assert.equal(record.subject, 'self')
    assert.equal(record.signature, 'Ada Runner')
    assert.oneOf(record.ip, ['127.0.0.1', '::1', '::ffff:127.0.0.1'])
    assert.equal(record.userAgent, BROWSER)
    assert.isNull(record.guardianName)
  })

  test('a minor without a guardian is refused, and nothing is written', async ({
    client,
    assert,
  }) => {
    const text = await ConsentTextFactory.create()
    const creator = await makeUser('creator')

    const response = await client
      .post('/consent')
      .form(grantForm(text.id, { subject: 'minor' }))
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    assert.match(fieldErrors(response, 'guardianName')[0], /guardian/i)
    assert.lengthOf(fieldErrors(response, 'guardianRelationship'), 1)
    assert.lengthOf(await ConsentRecord.query().where('user_id', creator.id), 0)
  })

  test('a minor with a guardian is recorded with the guardian', async ({ client, assert }) => {
    const text = await ConsentTextFactory.create()
    const creator = await makeUser('creator')

    await client
      .post('/consent')
      .form(
        grantForm(text.id, {
          subject: 'minor',
          guardianName: 'Grace Runner',
          guardianRelationship: 'mother',
          scopes: ['processing'],
          usage: 'research',
        })
      )
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    const record = await ConsentRecord.query().where('user_id', creator.id).firstOrFail()
    assert.equal(record.subject, 'minor')
    assert.equal(record.guardianName, 'Grace Runner')
    assert.equal(record.guardianRelationship, 'mother')
    assert.deepEqual(record.scopes, ['processing'])
  })

  test('a guardian named for an adult is refused', async ({ client, assert }) => {
    const text = await ConsentTextFactory.create()
    const creator = await makeUser('creator')

    const response = await client
      .post('/consent')
      .form(grantForm(text.id, { guardianName: 'Grace Runner', guardianRelationship: 'mother' }))
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    assert.match(fieldErrors(response, 'guardianName')[0], /only when the consent is for a minor/)
    assert.lengthOf(await ConsentRecord.query().where('user_id', creator.id), 0)
  })

  test('consent is refused without the agreement, the processing scope or a signature', async ({
    client,
    assert,
  }) => {
    const text = await ConsentTextFactory.create()
    const creator = await makeUser('creator')
    const { agree, ...withoutAgreement } = grantForm(text.id)

    const unticked = await client
      .post('/consent')
      .form(withoutAgreement)
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    const licensingOnly = await client
      .post('/consent')
      .form(grantForm(text.id, { scopes: ['licensing'] }))
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    const unsigned = await client
      .post('/consent')
      .form(grantForm(text.id, { signature: ' ' }))
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    assert.equal(fieldErrors(unticked, 'agree')[0], 'Tick “I agree” to give your consent.')
    assert.equal(
      fieldErrors(licensingOnly, 'scopes')[0],
      'Consent to processing is needed for any upload: tick it.'
    )
    assert.equal(fieldErrors(unsigned, 'signature')[0], 'Type your full name as your signature.')
    assert.lengthOf(await ConsentRecord.query().where('user_id', creator.id), 0)
  })

  test('a grant is refused when a new text was published while the form was open', async ({
    client,
    assert,
  }) => {
    const old = await ConsentTextFactory.create()
    await ConsentTextFactory.create()
    const creator = await makeUser('creator')

    const response = await client
      .post('/consent')
      .form(grantForm(old.id))
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    assert.equal(response.header('location'), '/consent/new')
    assert.match(String(response.flashMessages()?.error), /changed while you were reading/)
    assert.lengthOf(await ConsentRecord.query().where('user_id', creator.id), 0)
  })

  test('without a published text the page says so and a grant is refused', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')

    const page = await client.get('/consent/new').loginAs(creator)
    const post = await client
      .post('/consent')
      .form(grantForm(1))
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    page.assertStatus(200)
    page.assertTextIncludes('No consent text is published yet; an administrator must publish one')
    assert.equal(post.status(), 302)
    assert.match(String(post.flashMessages()?.error), /No consent text is published yet/)
    assert.lengthOf(await ConsentRecord.query().where('user_id', creator.id), 0)
  })

  test('consent records cannot be changed or deleted, even with SQL', async ({ assert }) => {
    const record = await ConsentRecordFactory.create()

    await assert.rejects(
      () => attempt(`UPDATE consent_records SET scopes = '{processing}' WHERE id = ?`, [record.id]),
      /append-only/
    )
    await assert.rejects(
      () => attempt('DELETE FROM consent_records WHERE id = ?', [record.id]),
      /append-only/
    )
    const [row] = await db.from('consent_records').where('id', record.id)
    assert.deepEqual(row.scopes, ['processing', 'licensing'])
  })

  test('the creator lists their own records, and never another creator’s', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const mine = await ConsentRecordFactory.merge({ userId: creator.id }).create()
    const theirs = await ConsentRecordFactory.create()

    const response = await client.get('/consents').loginAs(creator)

    response.assertStatus(200)
    response.assertTextIncludes(`data-record="${mine.id}"`)
    assert.notInclude(response.text(), `data-record="${theirs.id}"`)
  })
})
