import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Download from '#models/download'
import Order from '#models/order'
import type User from '#models/user'
import type DatasetVersion from '#models/dataset_version'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { licenceFor, publishedVersion } from '#tests/helpers/exports'
import { tokenFor } from '#tests/functional/api/helpers'

function paidOrder(buyer: User, version: DatasetVersion, fields: Partial<Order> = {}) {
  return Order.create({
    buyerId: buyer.id,
    datasetVersionId: version.id,
    amountCents: 4900,
    currency: 'USD',
    status: 'paid',
    paidAt: DateTime.fromISO('2026-02-03T10:00:00Z'),
    stripePaymentIntentId: 'pi_test_123',
    ...fields,
  })
}

test.group('Buyer dashboard: licence history, receipts, downloads, tokens', (group) => {
  group.each.setup(isolate)

  test('lists each licence with version, date, price or how it came, type, status and receipt link', async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer')
    const bought = await publishedVersion({ clips: 1, store: false })
    const claimed = await publishedVersion({ clips: 1, store: false })
    const granted = await publishedVersion({ clips: 1, store: false })
    const theirs = await publishedVersion({ clips: 1, store: false })
    const order = await paidOrder(buyer, bought.version)
    const purchase = await licenceFor(buyer, bought.version, {
      source: 'purchase',
      orderId: order.id,
    })
    const free = await licenceFor(buyer, claimed.version, { source: 'free' })
    const grant = await licenceFor(buyer, granted.version, {
      source: 'grant',
      revokedAt: DateTime.now(),
    })
    await licenceFor(await makeUser('buyer'), theirs.version)
    await theirs.version.load('dataset')
    await bought.version.load('dataset')

    const response = await client.get('/buyer').loginAs(buyer)

    response.assertStatus(200)
    const html = response.text()
    const row = (id: string) =>
      html.slice(
        html.indexOf(`data-history-licence="${id}"`),
        html.indexOf('</tr>', html.indexOf(`data-history-licence="${id}"`))
      )
    assert.include(row(purchase.id), bought.version.dataset.title)
    assert.include(row(purchase.id), 'v1')
    assert.include(row(purchase.id), '$49.00')
    assert.include(row(purchase.id), `href="/buyer/receipts/${order.id}"`)
    assert.include(row(purchase.id), 'data-licence-status="live"')
    assert.include(row(free.id), 'Free')
    assert.notInclude(row(free.id), '/buyer/receipts/')
    assert.include(row(grant.id), 'Granted')
    assert.include(row(grant.id), 'data-licence-status="revoked"')
    assert.notInclude(html, theirs.version.dataset.title)
  })

  test("recent downloads come from the downloads log, newest first, the buyer's own only", async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer')
    const published = await publishedVersion({ clips: 1, store: false })
    const licence = await licenceFor(buyer, published.version)
    const older = await Download.create({ licenceId: licence.id, userId: buyer.id, kind: 'zip' })
    await Download.query()
      .where('id', older.id)
      .update({ created_at: DateTime.now().minus({ days: 1 }).toJSDate() })
    const newer = await Download.create({ licenceId: licence.id, userId: buyer.id, kind: 'api' })
    const other = await makeUser('buyer')
    const theirVersion = await publishedVersion({ clips: 1, store: false })
    const theirLicence = await licenceFor(other, theirVersion.version)
    const theirs = await Download.create({
      licenceId: theirLicence.id,
      userId: other.id,
      kind: 'zip',
    })

    const response = await client.get('/buyer').loginAs(buyer)
    const html = response.text()

    assert.include(html, `data-download-id="${newer.id}"`)
    assert.include(html, `data-download-id="${older.id}"`)
    assert.isBelow(
      html.indexOf(`data-download-id="${newer.id}"`),
      html.indexOf(`data-download-id="${older.id}"`)
    )
    assert.include(html, 'Manifest (API)')
    assert.include(html, 'ZIP archive')
    assert.notInclude(html, `data-download-id="${theirs.id}"`)
  })

  test('the API tokens summary shows live tokens and links to their page', async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer')
    const token = await tokenFor(buyer, ['catalog:read'])
    await client.get('/api/v1/catalog').bearerToken(token.secret)

    const response = await client.get('/buyer').loginAs(buyer)
    const html = response.text()

    assert.include(html, `data-token-id="${token.id}"`)
    assert.include(html, '1 live; last used')
    assert.include(html, 'href="/account/tokens"')
    assert.notInclude(html, token.secret)
    assert.notInclude(html, 'Revoke test token')
  })

  test('a receipt states order, date, amount, currency, platform and company; other buyers get 403', async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer', { companyName: 'Northwind Robotics' })
    const published = await publishedVersion({ clips: 1, store: false })
    const order = await paidOrder(buyer, published.version, { amountCents: 12345, currency: 'EUR' })
    const licence = await licenceFor(buyer, published.version, {
      source: 'purchase',
      orderId: order.id,
    })
    await published.version.load('dataset')

    const response = await client.get(`/buyer/receipts/${order.id}`).loginAs(buyer)

    response.assertStatus(200)
    const html = response.text()
    assert.include(html, order.id)
    assert.include(html, '3 Feb 2026')
    assert.include(html, '€123.45')
    assert.include(html, 'Total paid (EUR)')
    assert.include(html, 'Northwind Robotics')
    assert.include(html, 'Athera')
    assert.include(html, published.version.dataset.title)
    assert.include(html, 'pi_test_123')
    assert.include(html, `/licences/${licence.id}`)

    const asAnotherBuyer = await client
      .get(`/buyer/receipts/${order.id}`)
      .loginAs(await makeUser('buyer'))
    asAnotherBuyer.assertStatus(403)
    const asAnotherAdmin = await client
      .get(`/buyer/receipts/${order.id}`)
      .loginAs(await makeUser('admin'))
    asAnotherAdmin.assertStatus(200)
  })

  test('an order that took no money has no receipt (404); a refunded one says so', async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer')
    const published = await publishedVersion({ clips: 1, store: false })
    const pending = await paidOrder(buyer, published.version, { status: 'pending', paidAt: null })
    const refunded = await paidOrder(buyer, published.version, {
      status: 'refunded',
      refundedAt: DateTime.fromISO('2026-02-10T10:00:00Z'),
    })

    const asBuyer = await client.get(`/buyer/receipts/${pending.id}`).loginAs(buyer)
    asBuyer.assertStatus(404)
    const response = await client.get(`/buyer/receipts/${refunded.id}`).loginAs(buyer)
    const html = response.text()
    assert.include(html, 'data-testid="receipt-refunded"')
    assert.include(html, 'Refunded 10 Feb 2026')
  })
})
