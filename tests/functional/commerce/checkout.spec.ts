import { test } from '@japa/runner'
import Licence from '#models/licence'
import Order from '#models/order'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { sessionIdOf, useFakeStripe, versionOf, withoutStripe } from './helpers.js'
import { agreement, licenceTerms } from '#tests/helpers/licence_texts'

test.group('Checkout', (group) => {
  group.each.setup(isolate)

  test('a buyer is sent to Stripe Checkout with the order written first', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version, dataset } = await versionOf(4200, [10, 5])

    const response = await client
      .post(`/checkout/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(303)
    const location = response.header('location')!
    assert.isTrue(location.startsWith(`${fake.url}/pay/cs_test_`))
    const order = await Order.findByOrFail('buyer_id', buyer.id)
    assert.equal(order.status, 'pending')
    assert.equal(order.amountCents, 4200)
    assert.equal(order.platformFeeCents, 840)
    assert.equal(order.stripeCheckoutSessionId, sessionIdOf(location))

    const [request] = fake.requests.filter((entry) => entry.path === '/v1/checkout/sessions')
    const session = request.body
    assert.equal(session.mode, 'payment')
    assert.equal(session.client_reference_id, order.id)
    assert.equal(session.metadata.order_id, order.id)
    assert.equal(session.customer_email, buyer.email)
    assert.deepInclude(session.line_items[0].price_data, { currency: 'usd', unit_amount: '4200' })
    assert.include(session.line_items[0].price_data.product_data.name, dataset.title)
    assert.match(session.success_url, /\/checkout\/success\?session_id=\{CHECKOUT_SESSION_ID\}$/)
    assert.match(session.cancel_url, new RegExp(`/checkout/cancel\\?order=${order.id}$`))
    // Separate charges and transfers: the platform is paid, nothing is routed at the charge.
    assert.notProperty(session, 'payment_intent_data[application_fee_amount]')
    assert.notProperty(session.payment_intent_data, 'transfer_data')
    assert.notProperty(session.payment_intent_data, 'application_fee_amount')
    assert.equal(session.payment_intent_data.transfer_group, `order_${order.id}`)
  })

  test('a second click goes back to the same open checkout, not a second order', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version } = await versionOf(4200, [10])

    const first = await client
      .post(`/checkout/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    const second = await client
      .post(`/checkout/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)

    second.assertStatus(303)
    assert.equal(second.header('location'), first.header('location'))
    assert.lengthOf(await Order.all(), 1)
    assert.equal(fake.sessions.size, 1)

    // Once that session is no longer open, a new click starts a new checkout.
    fake.sessions.get(sessionIdOf(first.header('location')!))!.status = 'expired'
    const third = await client
      .post(`/checkout/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    assert.notEqual(third.header('location'), first.header('location'))
    assert.lengthOf(await Order.all(), 2)
  })

  test('the hosted page pays, and the buyer lands on the success page with the licence', async ({
    client,
    assert,
    cleanup,
  }) => {
    await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version } = await versionOf(1500, [8])
    const start = await client
      .post(`/checkout/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    const payPage = await fetch(start.header('location')!)
    assert.include(await payPage.text(), '>Pay</button>')

    // Before the webhook: the success page says the licence is coming.
    const sessionId = sessionIdOf(start.header('location')!)
    const early = await client.get(`/checkout/success?session_id=${sessionId}`).loginAs(buyer)
    early.assertStatus(200)
    early.assertTextIncludes('Payment received, your licence is being issued')

    const paid = await fetch(start.header('location')!, { method: 'POST', redirect: 'manual' })
    assert.equal(paid.status, 303)
    const successUrl = new URL(paid.headers.get('location')!)
    assert.equal(successUrl.pathname, '/checkout/success')
    assert.equal(successUrl.searchParams.get('session_id'), sessionId)

    const licence = await Licence.query().where('buyer_id', buyer.id).firstOrFail()
    assert.equal(licence.source, 'purchase')
    const page = await client.get(`${successUrl.pathname}${successUrl.search}`).loginAs(buyer)
    page.assertStatus(200)
    page.assertTextIncludes(`href="/licences/${licence.id}"`)
    // Another buyer cannot read this order's page.
    const stranger = await client
      .get(`${successUrl.pathname}${successUrl.search}`)
      .loginAs(await makeUser('buyer'))
    stranger.assertStatus(404)
  })

  test('without Stripe keys a paid dataset says payments are not configured and writes nothing', async ({
    client,
    assert,
    cleanup,
  }) => {
    withoutStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version, dataset } = await versionOf(2500, [10])

    const response = await client
      .post(`/checkout/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', `/catalog/${dataset.slug}`)
    response.assertFlashMessage(
      'error',
      'Payments are not configured on this instance, so paid datasets cannot be bought yet. Nothing was charged.'
    )
    assert.lengthOf(await Order.all(), 0)
  })

  test('a Stripe error is a clear message, never a 500; the order is marked failed', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    fake.failNext = {
      status: 400,
      type: 'invalid_request_error',
      message: 'Currency usd is not supported in this account.',
    }
    const buyer = await makeUser('buyer')
    const { version, dataset } = await versionOf(2500, [10])

    const response = await client
      .post(`/checkout/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', `/catalog/${dataset.slug}`)
    response.assertFlashMessage(
      'error',
      'Stripe refused to start the checkout: Currency usd is not supported in this account. Nothing was charged.'
    )
    const order = await Order.findByOrFail('buyer_id', buyer.id)
    assert.equal(order.status, 'failed')
    assert.isNull(order.stripeCheckoutSessionId)
  })

  test('refused keys and an unreachable Stripe are clear messages too', async ({
    client,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version } = await versionOf(2500, [10])

    fake.failNext = {
      status: 401,
      type: 'invalid_request_error',
      message: 'Invalid API Key provided: sk_live_****',
    }
    const refused = await client
      .post(`/checkout/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(302)
    refused.assertFlashMessage(
      'error',
      "This instance's Stripe keys were refused, so we could not start the checkout. An administrator has to check them. Nothing was charged."
    )

    await fake.stop()
    const down = await client
      .post(`/checkout/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    down.assertStatus(302)
    down.assertFlashMessage(
      'error',
      'Stripe cannot be reached right now, so we could not start the checkout. Try again in a minute. Nothing was charged.'
    )
  }).timeout(30_000)

  test('a buyer who already holds a live licence is sent to it, with no new order', async ({
    client,
    assert,
    cleanup,
  }) => {
    await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version } = await versionOf(2500, [10])
    const licence = await Licence.create({
      buyerId: buyer.id,
      datasetVersionId: version.id,
      source: 'grant',
      licenceType: version.licenceType,
      ...(await licenceTerms(version.licenceType)),
    })

    const response = await client
      .post(`/checkout/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', `/licences/${licence.id}`)
    assert.lengthOf(await Order.all(), 0)
  })

  test('a draft dataset cannot be bought, and a free one points to "Get it free"', async ({
    client,
    assert,
    cleanup,
  }) => {
    await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version, dataset } = await versionOf(2500, [10])
    dataset.status = 'draft'
    await dataset.save()
    const draft = await client
      .post(`/checkout/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    draft.assertStatus(404)

    const free = await versionOf(0, [10])
    const response = await client
      .post(`/checkout/${free.version.id}`)
      .form(await agreement(free.version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertFlashMessage('error', 'This dataset is free: use "Get it free" instead.')
    assert.lengthOf(await Order.all(), 0)
  })

  test('creators, admins and visitors cannot check out', async ({ client, assert, cleanup }) => {
    await useFakeStripe(cleanup)
    const { version } = await versionOf(2500, [10])

    const anonymous = await client
      .post(`/checkout/${version.id}`)
      .form(await agreement(version.licenceType))
      .withCsrfToken()
      .redirects(0)
    anonymous.assertStatus(302)
    anonymous.assertHeader('location', '/login')
    for (const role of ['creator', 'admin'] as const) {
      const response = await client
        .post(`/checkout/${version.id}`)
        .form(await agreement(version.licenceType))
        .loginAs(await makeUser(role))
        .withCsrfToken()
        .header('referer', '/catalog')
        .redirects(0)
      response.assertStatus(302)
      response.assertHeader('location', '/catalog')
    }
    assert.lengthOf(await Order.all(), 0)
  })

  test('leaving the checkout changes nothing until the buyer presses cancel; a paid one stays paid', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version } = await versionOf(2500, [10])
    await client
      .post(`/checkout/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    const order = await Order.findByOrFail('buyer_id', buyer.id)

    const stranger = await client
      .get(`/checkout/cancel?order=${order.id}`)
      .loginAs(await makeUser('buyer'))
    stranger.assertStatus(404)
    const strangerPost = await client
      .post('/checkout/cancel')
      .form({ order: order.id })
      .loginAs(await makeUser('buyer'))
      .withCsrfToken()
      .redirects(0)
    strangerPost.assertStatus(404)
    await order.refresh()
    assert.equal(order.status, 'pending')

    // Stripe's cancel_url (or a link preview of it) only shows the page with its button.
    const page = await client.get(`/checkout/cancel?order=${order.id}`).loginAs(buyer)
    page.assertStatus(200)
    page.assertTextIncludes('data-cancel-order')
    await order.refresh()
    assert.equal(order.status, 'pending')
    assert.equal(fake.sessions.get(order.stripeCheckoutSessionId!)!.status, 'open')

    const cancelled = await client
      .post('/checkout/cancel')
      .form({ order: order.id })
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    cancelled.assertStatus(303)
    assert.equal(cancelled.header('location'), `/checkout/cancel?order=${order.id}`)
    await order.refresh()
    assert.equal(order.status, 'cancelled')
    const response = await client.get(`/checkout/cancel?order=${order.id}`).loginAs(buyer)
    response.assertTextIncludes('nothing was charged and the order is cancelled')
    // Closed at Stripe too, so it cannot be paid later from another tab.
    const session = fake.sessions.get(order.stripeCheckoutSessionId!)!
    assert.equal(session.status, 'expired')

    // Had the buyer paid in another tab just before: the webhook wins, and the cancel page says so.
    session.status = 'open'
    await fake.pay(order.stripeCheckoutSessionId!)
    await order.refresh()
    assert.equal(order.status, 'paid')
    await client
      .post('/checkout/cancel')
      .form({ order: order.id })
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    const late = await client.get(`/checkout/cancel?order=${order.id}`).loginAs(buyer)
    late.assertTextIncludes('The payment went through')
    await order.refresh()
    assert.equal(order.status, 'paid')
  })

  test('two checkouts at once for one version make one order and one Checkout Session', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version } = await versionOf(4200, [10])
    const form = await agreement(version.licenceType)
    const responses = await Promise.all(
      Array.from({ length: 4 }, () =>
        client
          .post(`/checkout/${version.id}`)
          .form(form)
          .loginAs(buyer)
          .withCsrfToken()
          .redirects(0)
      )
    )
    for (const response of responses) response.assertStatus(303)
    assert.lengthOf(new Set(responses.map((response) => response.header('location'))), 1)
    assert.lengthOf(await Order.all(), 1)
    assert.equal(fake.sessions.size, 1)
    assert.lengthOf(
      fake.requests.filter(
        (entry) => entry.method === 'POST' && entry.path === '/v1/checkout/sessions'
      ),
      1
    )

    // An expired session ends its order; the next click opens a new order with its own session.
    const [order] = await Order.all()
    fake.sessions.get(order.stripeCheckoutSessionId!)!.status = 'expired'
    const next = await client
      .post(`/checkout/${version.id}`)
      .form(form)
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    next.assertStatus(303)
    await order.refresh()
    assert.equal(order.status, 'cancelled')
    assert.equal(
      await Order.query()
        .where('status', 'pending')
        .count('* as n')
        .then((rows) => Number(rows[0].$extras.n)),
      1
    )
  })
})
