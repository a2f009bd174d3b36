import { test } from '@japa/runner'
import AuditLog from '#models/audit_log'
import Licence from '#models/licence'
import Order from '#models/order'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { versionOf, withoutStripe } from './helpers.js'
import { agreement } from '#tests/helpers/licence_texts'

test.group('Free claims and admin grants', (group) => {
  group.each.setup(isolate)

  test('claiming a free version twice gives one licence, both times its page', async ({
    client,
    assert,
    cleanup,
  }) => {
    withoutStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version } = await versionOf(0, [10, 20])

    const first = await client
      .post(`/licences/claim/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    const second = await client
      .post(`/licences/claim/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)

    const licences = await Licence.query().where('buyer_id', buyer.id)
    assert.lengthOf(licences, 1)
    assert.equal(licences[0].source, 'free')
    assert.equal(licences[0].licenceType, version.licenceType)
    assert.isNull(licences[0].orderId)
    for (const response of [first, second]) {
      response.assertStatus(302)
      response.assertHeader('location', `/licences/${licences[0].id}`)
    }
    second.assertFlashMessage('success', 'You already hold a licence for this dataset version.')
    assert.lengthOf(await Order.all(), 0)
  })

  test('a paid version cannot be claimed free', async ({ client, assert }) => {
    const buyer = await makeUser('buyer')
    const { version, dataset } = await versionOf(2500, [10])

    const response = await client
      .post(`/licences/claim/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', `/catalog/${dataset.slug}`)
    response.assertFlashMessage('error', 'This dataset is not free: buy it to get a licence.')
    assert.lengthOf(await Licence.all(), 0)
  })

  test('a creator cannot claim; a revoked licence does not block a new claim', async ({
    client,
    assert,
  }) => {
    const { version } = await versionOf(0, [10])
    const creator = await makeUser('creator')
    const refused = await client
      .post(`/licences/claim/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(creator)
      .withCsrfToken()
      .header('referer', '/catalog')
      .redirects(0)
    refused.assertHeader('location', '/catalog')
    assert.lengthOf(await Licence.all(), 0)

    const buyer = await makeUser('buyer')
    await client
      .post(`/licences/claim/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    const old = await Licence.findByOrFail('buyer_id', buyer.id)
    old.revokedAt = old.createdAt
    old.revokeReason = 'Test'
    await old.save()
    const again = await client
      .post(`/licences/claim/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    const live = await Licence.query()
      .where('buyer_id', buyer.id)
      .whereNull('revoked_at')
      .firstOrFail()
    assert.notEqual(live.id, old.id)
    again.assertHeader('location', `/licences/${live.id}`)
  })

  test('an admin grants a licence to a buyer by e-mail, and the grant is audited once', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const buyer = await makeUser('buyer')
    const { version } = await versionOf(5000, [10])

    const form = {
      email: buyer.email.toUpperCase(),
      versionId: version.id,
      note: 'Pilot with the club',
    }
    const response = await client
      .post('/admin/licences')
      .form(form)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)

    const licence = await Licence.findByOrFail('buyer_id', buyer.id)
    response.assertStatus(302)
    response.assertHeader('location', `/licences/${licence.id}`)
    assert.equal(licence.source, 'grant')
    assert.equal(licence.grantedBy, admin.id)
    const audit = await AuditLog.query().where('action', 'licence.granted')
    assert.lengthOf(audit, 1)
    assert.equal(audit[0].actorId, admin.id)
    assert.equal(audit[0].subjectId, licence.id)
    assert.deepInclude(audit[0].meta, {
      buyerId: buyer.id,
      datasetVersionId: version.id,
      note: 'Pilot with the club',
    })

    const again = await client
      .post('/admin/licences')
      .form(form)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    again.assertHeader('location', `/licences/${licence.id}`)
    assert.lengthOf(await Licence.all(), 1)
    assert.lengthOf(await AuditLog.query().where('action', 'licence.granted'), 1)
  })

  test('a grant to an unknown buyer or a malformed version is refused with a message, writing nothing', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const creator = await makeUser('creator')
    const { version } = await versionOf(5000, [10])

    const unknown = await client
      .post('/admin/licences')
      .form({ email: creator.email, versionId: version.id })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    unknown.assertStatus(302)
    unknown.assertHeader('location', '/admin/licences/new')
    unknown.assertFlashMessage('error', `No buyer account uses ${creator.email}.`)

    const malformed = await client
      .post('/admin/licences')
      .form({ email: 'someone@company.com', versionId: 'v1' })
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/licences/new')
      .redirects(0)
    malformed.assertStatus(302)
    malformed.assertFlashMessage('inputErrorsBag', {
      versionId: ['A dataset version id looks like 0b9c…-…; copy it from the dataset page.'],
    })

    assert.lengthOf(await Licence.all(), 0)
    assert.lengthOf(await AuditLog.all(), 0)
  })

  test('the grant form is for admins', async ({ client }) => {
    const page = await client
      .get('/admin/licences/new?version=abc')
      .loginAs(await makeUser('admin'))
    page.assertStatus(200)
    page.assertTextIncludes('Grant the licence')
    const refused = await client.get('/admin/licences/new').loginAs(await makeUser('buyer'))
    refused.assertStatus(403)
  })
})
