import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { MAX_LIVE_TOKENS } from '#app/accounts/api_token_service'
import { tokenFor, tokenRow } from '#tests/functional/api/helpers'
import db from '@adonisjs/lucid/services/db'

/** The token form's fields as the page posts them (`scopes[]`: always a list, even of one). */
const form = (fields: Record<string, string | string[]>) => fields

test.group("API tokens: the buyer's pages", (group) => {
  group.each.setup(isolate)

  test('creating a token shows its secret once, stores only its hash, with the scopes and expiry chosen', async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer')

    const response = await client
      .post('/account/tokens')
      .form(
        form({
          'name': 'Training pipeline',
          'scopes[]': ['catalog:read', 'downloads:read'],
          'expiry': '30',
        })
      )
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(200)
    assert.equal(response.header('cache-control'), 'no-store')
    const value = response.text().match(/value="(ath_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"/)?.[1]
    assert.isDefined(value, 'the secret is on the page')

    const rows = await db.from('auth_access_tokens').where('tokenable_id', buyer.id)
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].name, 'Training pipeline')
    assert.deepEqual(JSON.parse(rows[0].abilities), ['catalog:read', 'downloads:read'])
    assert.notInclude(JSON.stringify(rows[0]), value!.split('.')[1], 'the secret is not stored')
    const expires = DateTime.fromJSDate(rows[0].expires_at)
    assert.closeTo(expires.diff(DateTime.now(), 'days').days, 30, 0.01)

    // The list shows the token, never its secret again.
    const list = await client.get('/account/tokens').loginAs(buyer)
    assert.include(list.text(), 'Training pipeline')
    assert.include(list.text(), `data-token-id="${rows[0].id}"`)
    assert.notInclude(list.text(), value!)
    const allowed = await client.get('/api/v1/catalog').bearerToken(value!)
    allowed.assertStatus(200)
  })

  test('"no expiry" stores none; the list shows last use', async ({ client, assert }) => {
    const buyer = await makeUser('buyer')
    const created = await client
      .post('/account/tokens')
      .form(form({ 'name': 'Nightly sync', 'scopes[]': ['licences:read'], 'expiry': 'never' }))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    created.assertStatus(200)
    const row = await db.from('auth_access_tokens').where('tokenable_id', buyer.id).firstOrFail()
    assert.isNull(row.expires_at)
    await db
      .from('auth_access_tokens')
      .where('id', row.id)
      .update({ last_used_at: new Date('2026-03-04T05:06:00Z') })

    const response = await client.get('/account/tokens').loginAs(buyer)
    const html = response.text()

    assert.include(html, '4 Mar 2026 05:06 UTC')
    assert.include(html, 'data-token-scope="licences:read"')
  })

  test('bad input goes back with a sentence per field and creates nothing', async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer')
    const cases = [
      { fields: form({ 'name': '', 'scopes[]': ['catalog:read'], 'expiry': '30' }), field: 'name' },
      { fields: form({ name: 'x', expiry: '30' }), field: 'scopes' },
      {
        fields: form({ 'name': 'x', 'scopes[]': ['admin:all'], 'expiry': '30' }),
        field: 'scopes.0',
      },
      {
        fields: form({ 'name': 'x', 'scopes[]': ['catalog:read'], 'expiry': '9999' }),
        field: 'expiry',
      },
    ]
    for (const { fields, field } of cases) {
      const response = await client
        .post('/account/tokens')
        .form(fields)
        .loginAs(buyer)
        .withCsrfToken()
        .header('referer', '/account/tokens')
        .redirects(0)
      assert.equal(response.status(), 302, field)
      assert.equal(response.header('location'), '/account/tokens', field)
      const bag = (response.flashMessages().inputErrorsBag ?? {}) as Record<string, string[]>
      assert.isTrue(field in bag, `${field} has an error`)
      assert.isAbove(bag[field][0].length, 15, 'a sentence, not a rule name')
    }
    assert.lengthOf(await db.from('auth_access_tokens').where('tokenable_id', buyer.id), 0)
  })

  test(`at most ${MAX_LIVE_TOKENS} live tokens per buyer`, async ({ client, assert }) => {
    const buyer = await makeUser('buyer')
    for (let i = 0; i < MAX_LIVE_TOKENS; i++) await tokenFor(buyer)

    const response = await client
      .post('/account/tokens')
      .form(form({ 'name': 'one more', 'scopes[]': ['catalog:read'], 'expiry': '30' }))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    assert.include(response.flashMessages().error, 'Revoke one')
    assert.lengthOf(
      await db.from('auth_access_tokens').where('tokenable_id', buyer.id),
      MAX_LIVE_TOKENS
    )
  })

  test("a buyer revokes their own token, never another buyer's", async ({ client, assert }) => {
    const owner = await makeUser('buyer')
    const stranger = await makeUser('buyer')
    const token = await tokenFor(owner)

    const refused = await client
      .delete(`/account/tokens/${token.id}`)
      .loginAs(stranger)
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(302)
    assert.include(refused.flashMessages().error, 'No such token')
    assert.isNotNull(await tokenRow(token.id))

    const huge = await client
      .delete('/account/tokens/99999999999')
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    huge.assertStatus(302)
    assert.include(huge.flashMessages().error, 'No such token')

    const revoked = await client
      .delete(`/account/tokens/${token.id}`)
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    revoked.assertStatus(302)
    assert.include(revoked.flashMessages().success, 'revoked')
    assert.isNull(await tokenRow(token.id))
  })

  test('creators and admins have no token pages (403), and cannot create one', async ({
    client,
    assert,
  }) => {
    for (const role of ['creator', 'admin'] as const) {
      const user = await makeUser(role)
      const page = await client.get('/account/tokens').loginAs(user)
      page.assertStatus(403)
      assert.include(page.text(), 'API tokens are for buyer accounts')
      await client
        .post('/account/tokens')
        .form(form({ 'name': 'x', 'scopes[]': ['catalog:read'], 'expiry': '30' }))
        .loginAs(user)
        .withCsrfToken()
        .redirects(0)
      assert.lengthOf(await db.from('auth_access_tokens').where('tokenable_id', user.id), 0, role)
    }
  })
})
