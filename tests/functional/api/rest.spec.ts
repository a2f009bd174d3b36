import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Download from '#models/download'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { listedDataset } from '#tests/helpers/catalog'
import { licenceFor, publishedVersion, sha256 } from '#tests/helpers/exports'
import { tokenFor, tokenRow } from '#tests/functional/api/helpers'
import LicenceText from '#models/licence_text'

/** Every error under /api has this one shape. */
function assertError(assert: any, body: any, code: string) {
  assert.properties(body, ['error'])
  assert.equal(body.error.code, code)
  assert.isString(body.error.message)
  assert.isAbove(body.error.message.length, 10)
}

test.group('REST API v1: authentication', (group) => {
  group.each.setup(isolate)

  test('no token → 401 with a Bearer challenge, as JSON even when the client asks for HTML', async ({
    client,
    assert,
  }) => {
    const response = await client.get('/api/v1/licences').header('accept', 'text/html')

    response.assertStatus(401)
    assert.match(response.header('content-type') ?? '', /application\/json/)
    assert.equal(response.header('www-authenticate'), 'Bearer realm="athera-api"')
    assertError(assert, response.body(), 'unauthenticated')
  })

  test('a revoked token → 401 invalid_token', async ({ client, assert }) => {
    const buyer = await makeUser('buyer')
    const token = await tokenFor(buyer)
    const allowed = await client.get('/api/v1/licences').bearerToken(token.secret)
    allowed.assertStatus(200)

    // Revoked from the tokens page, as the owner.
    const asBuyer = await client
      .delete(`/account/tokens/${token.id}`)
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    asBuyer.assertStatus(302)
    assert.isNull(await tokenRow(token.id))

    const response = await client.get('/api/v1/licences').bearerToken(token.secret)
    response.assertStatus(401)
    assert.include(response.header('www-authenticate'), 'error="invalid_token"')
    assertError(assert, response.body(), 'invalid_token')
  })

  test('an expired token → 401 token_expired', async ({ client, assert }) => {
    const buyer = await makeUser('buyer')
    const token = await tokenFor(buyer, undefined, { expiresIn: '30 days' })
    await db
      .from('auth_access_tokens')
      .where('id', token.id)
      .update({ expires_at: DateTime.now().minus({ minutes: 1 }).toJSDate() })

    const response = await client.get('/api/v1/catalog').bearerToken(token.secret)

    response.assertStatus(401)
    assert.include(response.header('www-authenticate'), 'error="invalid_token"')
    assertError(assert, response.body(), 'token_expired')
  })

  test('malformed and forged tokens → 401, never a 500', async ({ client, assert }) => {
    const buyer = await makeUser('buyer')
    const { id, secret } = await tokenFor(buyer)
    const forged = `${secret.slice(0, -4)}AAAA`
    const nonNumericId = `ath_${Buffer.from('abc').toString('base64url')}.${secret.split('.')[1]}`
    const hugeId = `ath_${Buffer.from('99999999999').toString('base64url')}.${secret.split('.')[1]}`
    for (const header of [
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      'Bearer nonsense',
      `Bearer ${forged}`,
      `Bearer ${nonNumericId}`,
      `Bearer ${hugeId}`,
    ]) {
      const response = await client.get('/api/v1/licences').header('authorization', header)
      assert.equal(response.status(), 401, header)
      assert.equal(response.body().error.code, 'invalid_token', header)
    }
    // A forged secret under a real (sequential, guessable) id leaves the token's "last used" alone.
    const row = await tokenRow(id)
    assert.isNull(row.last_used_at)
  })

  test('a token without the needed scope → 403 insufficient_scope', async ({ client, assert }) => {
    const buyer = await makeUser('buyer')
    const catalogOnly = await tokenFor(buyer, ['catalog:read'])

    const response = await client.get('/api/v1/catalog').bearerToken(catalogOnly.secret)
    response.assertStatus(200)
    const licences = await client.get('/api/v1/licences').bearerToken(catalogOnly.secret)
    licences.assertStatus(403)
    assertError(assert, licences.body(), 'insufficient_scope')
    assert.include(licences.body().error.message, 'licences:read')
    assert.include(licences.header('www-authenticate'), 'error="insufficient_scope"')

    const published = await publishedVersion({ clips: 1, store: false })
    const licence = await licenceFor(buyer, published.version)
    const manifest = await client
      .get(`/api/v1/licences/${licence.id}/manifest`)
      .bearerToken(catalogOnly.secret)
    manifest.assertStatus(403)
    assertError(assert, manifest.body(), 'insufficient_scope')
    assert.lengthOf(await Download.query().where('licence_id', licence.id), 0)
  })

  test("a suspended buyer's token and a creator's token → 403", async ({ client, assert }) => {
    const buyer = await makeUser('buyer')
    const token = await tokenFor(buyer)
    buyer.suspendedAt = DateTime.now()
    await buyer.save()
    const suspended = await client.get('/api/v1/catalog').bearerToken(token.secret)
    suspended.assertStatus(403)
    assertError(assert, suspended.body(), 'account_suspended')

    const creator = await makeUser('creator')
    const creatorToken = await tokenFor(creator)
    const wrongRole = await client.get('/api/v1/catalog').bearerToken(creatorToken.secret)
    wrongRole.assertStatus(403)
    assertError(assert, wrongRole.body(), 'wrong_role')
  })

  test('a session cookie does not open the API', async ({ client, assert }) => {
    const response = await client.get('/api/v1/licences').loginAs(await makeUser('buyer'))

    response.assertStatus(401)
    assertError(assert, response.body(), 'unauthenticated')
  })

  test("each use stamps the token's last_used_at", async ({ client, assert }) => {
    const buyer = await makeUser('buyer')
    const token = await tokenFor(buyer)
    const row = await tokenRow(token.id)
    assert.isNull(row.last_used_at)

    await client.get('/api/v1/licences').bearerToken(token.secret)

    const stamped = await tokenRow(token.id)
    const used = stamped.last_used_at as Date
    assert.isNotNull(used)
    assert.isBelow(Math.abs(Date.now() - used.getTime()), 60_000)
  })

  test('requests are limited per token: the 121st in a minute → 429 with Retry-After; another token goes on', async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer')
    const busy = await tokenFor(buyer, ['licences:read'])
    const other = await tokenFor(buyer, ['licences:read'])
    for (let i = 0; i < 120; i++) {
      const response = await client.get('/api/v1/licences').bearerToken(busy.secret)
      if (response.status() !== 200) assert.fail(`request ${i + 1} got ${response.status()}`)
      if (i === 0) assert.equal(response.header('x-ratelimit-limit'), '120')
    }

    const limited = await client.get('/api/v1/licences').bearerToken(busy.secret)
    limited.assertStatus(429)
    assertError(assert, limited.body(), 'rate_limited')
    assert.isAbove(Number(limited.header('retry-after')), 0)
    const response2 = await client.get('/api/v1/licences').bearerToken(other.secret)
    response2.assertStatus(200)
  })

  test('an unknown path under /api is a JSON 404', async ({ client, assert }) => {
    const response = await client.get('/api/v1/nothing-here').header('accept', 'text/html')

    response.assertStatus(404)
    assertError(assert, response.body(), 'not_found')
  })
})

test.group('REST API v1: catalog, datasets, licences, manifests', (group) => {
  group.each.setup(isolate)

  test('a valid token searches the catalog and follows the cursor', async ({ client, assert }) => {
    const creator = await makeUser('creator')
    const keeper = await listedDataset(creator, {
      title: 'Goalkeeper diving saves',
      sport: 'football',
      priceCents: 2500,
    })
    for (let i = 0; i < 24; i++)
      await listedDataset(creator, {
        title: `Sprint drill ${i}`,
        sport: 'athletics',
        priceCents: 1000 + i,
      })
    const { secret } = await tokenFor(await makeUser('buyer'), ['catalog:read'])

    const search = await client.get('/api/v1/catalog').qs({ q: 'goalkeeper' }).bearerToken(secret)
    search.assertStatus(200)
    assert.deepEqual(
      search.body().data.map((item: any) => item.slug),
      [keeper.slug]
    )
    assert.deepInclude(search.body().data[0].price, {
      amount_cents: 2500,
      currency: keeper.currency,
    })
    assert.equal(search.body().data[0].links.self, `/api/v1/datasets/${keeper.slug}`)
    assert.isNull(search.body().next_cursor)

    const athletics = await client
      .get('/api/v1/catalog')
      .qs({ sport: 'athletics', sort: 'price_asc' })
      .bearerToken(secret)
    athletics.assertStatus(200)
    assert.lengthOf(athletics.body().data, 24)
    assert.isNull(athletics.body().next_cursor, 'exactly one page')
    const prices = athletics.body().data.map((item: any) => item.price.amount_cents)
    assert.deepEqual(
      prices,
      [...prices].sort((a: number, b: number) => a - b)
    )

    const first = await client.get('/api/v1/catalog').qs({ sort: 'price_asc' }).bearerToken(secret)
    assert.lengthOf(first.body().data, 24)
    assert.isString(first.body().next_cursor)
    assert.include(first.body().links.next, 'sort=price_asc')
    const second = await client.get(first.body().links.next).bearerToken(secret)
    second.assertStatus(200)
    assert.deepEqual(
      second.body().data.map((item: any) => item.slug),
      [keeper.slug],
      'the dearest comes last'
    )
    assert.isNull(second.body().next_cursor)
  })

  test('bad filters and cursors → 422 validation_failed', async ({ client, assert }) => {
    const { secret } = await tokenFor(await makeUser('buyer'), ['catalog:read'])

    const licence = await client
      .get('/api/v1/catalog')
      .qs({ licence: 'pirate' })
      .bearerToken(secret)
    licence.assertStatus(422)
    assertError(assert, licence.body(), 'validation_failed')
    const cursor = await client
      .get('/api/v1/catalog')
      .qs({ cursor: 'not-a-cursor' })
      .bearerToken(secret)
    cursor.assertStatus(422)
    assertError(assert, cursor.body(), 'validation_failed')
    const response = await client.get('/api/v1/catalog').qs({ price_min: '-3' }).bearerToken(secret)
    response.assertStatus(422)
  })

  test("a dataset and its version, with the caller's licence; unknown ones 404", async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer')
    const published = await publishedVersion({ clips: 2, store: false })
    const dataset = await published.version.related('dataset').query().firstOrFail()
    await db
      .from('datasets')
      .where('id', dataset.id)
      .update({ latest_version_id: published.version.id, published_at: new Date() })
    const licence = await licenceFor(buyer, published.version)
    const { secret } = await tokenFor(buyer, ['catalog:read'])

    const show = await client.get(`/api/v1/datasets/${dataset.slug}`).bearerToken(secret)
    show.assertStatus(200)
    assert.equal(show.body().title, dataset.title)
    assert.equal(show.body().latest_version, 1)
    assert.deepEqual(
      show.body().versions.map((item: any) => item.number),
      [1]
    )
    assert.equal(show.body().licence.id, licence.id)

    const version = await client
      .get(`/api/v1/datasets/${dataset.slug}/versions/1`)
      .bearerToken(secret)
    version.assertStatus(200)
    assert.equal(version.body().id, published.version.id)
    assert.equal(version.body().manifest_sha256, published.version.manifestSha256)
    assert.deepEqual(
      version.body().clips.map((clip: any) => clip.id),
      published.clips.map((clip) => clip.id)
    )
    assert.equal(version.body().clips[0].file_count, 4)
    assert.notInclude(JSON.stringify(version.body()), 'clips/', 'no bucket keys leak')

    for (const url of [
      `/api/v1/datasets/no-such-dataset`,
      `/api/v1/datasets/${dataset.slug}/versions/2`,
      `/api/v1/datasets/${dataset.slug}/versions/0`,
    ]) {
      const missing = await client.get(url).bearerToken(secret)
      assert.equal(missing.status(), 404, url)
      assertError(assert, missing.body(), 'not_found')
    }
  })

  test('my licences: mine only, live and revoked', async ({ client, assert }) => {
    const buyer = await makeUser('buyer')
    const live = await publishedVersion({ clips: 1, store: false })
    const gone = await publishedVersion({ clips: 1, store: false })
    const theirs = await publishedVersion({ clips: 1, store: false })
    const liveLicence = await licenceFor(buyer, live.version)
    const revoked = await licenceFor(buyer, gone.version, {
      revokedAt: DateTime.now(),
      revokeReason: 'Refunded.',
    })
    const foreign = await licenceFor(await makeUser('buyer'), theirs.version)
    const { secret } = await tokenFor(buyer, ['licences:read'])

    const response = await client.get('/api/v1/licences').bearerToken(secret)

    response.assertStatus(200)
    const byId = new Map(response.body().data.map((item: any) => [item.id, item]))
    assert.sameMembers([...byId.keys()], [liveLicence.id, revoked.id])
    assert.notInclude([...byId.keys()], foreign.id)
    assert.equal((byId.get(liveLicence.id) as any).status, 'live')
    assert.equal(
      (byId.get(liveLicence.id) as any).links.manifest,
      `/api/v1/licences/${liveLicence.id}/manifest`
    )
    assert.equal((byId.get(revoked.id) as any).status, 'revoked')
    assert.isNull((byId.get(revoked.id) as any).links.manifest)
    assert.equal((byId.get(liveLicence.id) as any).version.id, live.version.id)
    // The licence text it cites, without the body (the manifest carries that).
    const text = await LicenceText.findOrFail(liveLicence.licenceTextId)
    assert.deepEqual((byId.get(liveLicence.id) as any).terms, {
      version: text.version,
      sha256: text.sha256,
      title: text.title,
    })
  })

  test('a manifest whose signed URLs download the right bytes, recorded as an API download', async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer')
    const published = await publishedVersion({ clips: 2, videoBytes: 50_000 })
    const licence = await licenceFor(buyer, published.version)
    const { secret } = await tokenFor(buyer, ['downloads:read'])

    const response = await client.get(`/api/v1/licences/${licence.id}/manifest`).bearerToken(secret)

    response.assertStatus(200)
    assert.equal(response.header('cache-control'), 'no-store')
    const manifest = response.body()
    assert.equal(manifest.licence.id, licence.id)
    const text = await LicenceText.findOrFail(licence.licenceTextId)
    assert.deepEqual(manifest.licence.terms, {
      version: text.version,
      sha256: text.sha256,
      title: text.title,
      body: text.body,
    })
    assert.equal(sha256(manifest.licence.terms.body), licence.termsSha256)
    assert.sameMembers(
      manifest.files.map((file: any) => file.path),
      [...published.contents.keys()]
    )
    for (const file of manifest.files) {
      const download = await fetch(file.url)
      assert.equal(download.status, 200, file.path)
      const bytes = Buffer.from(await download.arrayBuffer())
      assert.equal(sha256(bytes), sha256(published.contents.get(file.path)!), file.path)
      assert.equal(file.sha256, sha256(bytes))
    }
    for (const key of published.rawKeys) assert.notInclude(JSON.stringify(manifest), key)
    const downloads = await Download.query().where('licence_id', licence.id)
    assert.lengthOf(downloads, 1)
    assert.equal(downloads[0].kind, 'api')
    assert.equal(downloads[0].userId, buyer.id)
  })

  test("another buyer's licence → 404; my revoked licence → 403; nothing is recorded", async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer')
    const published = await publishedVersion({ clips: 1, store: false })
    const foreign = await licenceFor(await makeUser('buyer'), published.version)
    const revoked = await licenceFor(buyer, published.version, { revokedAt: DateTime.now() })
    const { secret } = await tokenFor(buyer, ['downloads:read'])

    const other = await client.get(`/api/v1/licences/${foreign.id}/manifest`).bearerToken(secret)
    other.assertStatus(404)
    assertError(assert, other.body(), 'not_found')
    const mine = await client.get(`/api/v1/licences/${revoked.id}/manifest`).bearerToken(secret)
    mine.assertStatus(403)
    assertError(assert, mine.body(), 'forbidden')
    assert.include(mine.body().error.message, 'revoked')
    const response = await client.get('/api/v1/licences/not-a-uuid/manifest').bearerToken(secret)
    response.assertStatus(404)
    assert.lengthOf(await Download.query().whereIn('licence_id', [foreign.id, revoked.id]), 0)
  })
})
