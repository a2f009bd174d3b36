import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import BuyerWebhook from '#models/buyer_webhook'
import WebhookDelivery from '#models/webhook_delivery'
import { QueueService } from '#app/core/queue_service'
import { deliveryJobId, retryDelayMs, WebhookService } from '#app/webhooks/webhook_service'
import webhooksConfig from '#config/webhooks'
import { isInternalAddress } from '#app/core/outbound_address'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { fieldErrors } from '#tests/helpers/forms'
import {
  buyerWithWebhook,
  jobContext,
  noticeOf,
  runDelivery,
  runNotify,
  verifySignature,
  webhookReceiver,
  withdrawnLicensedClip,
} from '#tests/helpers/withdrawal_notices'

async function forgetDelivery(deliveryId: number) {
  const queue = await app.container.make(QueueService)
  await queue.queue('deliver-webhook').remove(deliveryJobId(deliveryId))
}

function save(client: any, user: any, url: string) {
  return client
    .put('/account/webhook')
    .form({ url })
    .loginAs(user)
    .withCsrfToken()
    .header('referer', '/account/webhook')
    .redirects(0)
}

test.group('Webhooks: a buyer’s signed endpoint', (group) => {
  group.each.setup(isolate)

  test('a withdrawal reaches the endpoint as a signed clip.withdrawn event, retried after a 500', async ({
    assert,
    cleanup,
  }) => {
    const receiver = await webhookReceiver([500, 200])
    cleanup(() => receiver.close())
    const { buyer, secret } = await buyerWithWebhook(receiver.url)
    const { licence, clip, record, published } = await withdrawnLicensedClip({ buyer })

    await runNotify(record.id)
    const notice = await noticeOf(licence)
    const delivery = await WebhookDelivery.findByOrFail('notice_id', notice.id)
    cleanup(() => forgetDelivery(delivery.id))
    const queue = await app.container.make(QueueService)
    const job = await queue.queue('deliver-webhook').getJob(deliveryJobId(delivery.id))
    assert.deepEqual(job?.data, { deliveryId: delivery.id }, 'one delivery job is queued')
    assert.equal(job?.opts.attempts, 8)
    assert.deepEqual(job?.opts.backoff, { type: 'exponential', delay: 60_000 })

    await assert.rejects(
      () => runDelivery(delivery.id, jobContext(1)),
      /E_WEBHOOK_DELIVERY_FAILED: The endpoint answered HTTP 500/
    )
    await delivery.refresh()
    assert.equal(delivery.attempts, 1)
    assert.equal(delivery.lastStatus, 500)
    assert.isNull(delivery.deliveredAt)
    assert.isNotNull(delivery.nextAttemptAt)
    assert.approximately(
      delivery.nextAttemptAt!.toMillis() - delivery.lastAttemptAt!.toMillis(),
      retryDelayMs(1),
      5_000
    )

    await runDelivery(delivery.id, jobContext(2))
    await delivery.refresh()
    assert.equal(delivery.attempts, 2)
    assert.equal(delivery.lastStatus, 200)
    assert.isNotNull(delivery.deliveredAt)
    await runDelivery(delivery.id, jobContext(3))
    assert.lengthOf(receiver.received, 2, 'a delivered event is not sent again')

    for (const request of receiver.received) {
      assert.equal(request.headers['content-type'], 'application/json')
      assert.equal(
        request.headers['athera-event-id'],
        delivery.eventId,
        'the same event id on every attempt'
      )
      assert.isTrue(
        verifySignature(secret, String(request.headers['athera-signature']), request.body),
        'the signature verifies'
      )
      assert.isFalse(
        verifySignature('whsec_wrong', String(request.headers['athera-signature']), request.body)
      )
      assert.isFalse(
        verifySignature(
          secret,
          String(request.headers['athera-signature']),
          request.body.replace('clip.withdrawn', 'clip.restored')
        )
      )
    }
    const event = JSON.parse(receiver.received[1].body)
    assert.equal(event.id, delivery.eventId)
    assert.equal(event.type, 'clip.withdrawn')
    assert.isString(event.created)
    assert.deepInclude(event.data, {
      notice_id: notice.id,
      licence_id: licence.id,
      clip_id: clip.id,
      version: { id: published.version.id, number: 1 },
      files_to_delete: [
        `videos/${clip.id}.mp4`,
        `keypoints/${clip.id}.json`,
        `metadata/${clip.id}.json`,
        `thumbnails/${clip.id}.jpg`,
      ],
      withdrawn_at: record.createdAt.toUTC().toISO(),
    })
  })

  test('running the notify job again makes no second delivery', async ({ assert, cleanup }) => {
    const receiver = await webhookReceiver()
    cleanup(() => receiver.close())
    const { buyer } = await buyerWithWebhook(receiver.url)
    const { record } = await withdrawnLicensedClip({ buyer })

    await runNotify(record.id)
    await runNotify(record.id)

    const deliveries = await WebhookDelivery.query().where('user_id', buyer.id)
    assert.lengthOf(deliveries, 1)
    await forgetDelivery(deliveries[0].id)
  })

  test('an endpoint that never answers 2xx is given up after the last attempt, and the log says so', async ({
    client,
    assert,
    cleanup,
  }) => {
    const receiver = await webhookReceiver([503])
    cleanup(() => receiver.close())
    const { buyer } = await buyerWithWebhook(receiver.url)
    const webhooks = await app.container.make(WebhookService)
    const sent = await webhooks.sendTest(buyer)
    assert.isTrue(sent.ok)
    const delivery = (sent as { value: WebhookDelivery }).value
    cleanup(() => forgetDelivery(delivery.id))

    await assert.rejects(() => runDelivery(delivery.id, jobContext(8, true)), /HTTP 503/)
    await delivery.refresh()
    assert.isNotNull(delivery.failedAt)
    assert.isNull(delivery.nextAttemptAt)
    await runDelivery(delivery.id, jobContext(9, true))
    assert.lengthOf(receiver.received, 1, 'a given-up delivery is not tried again')

    const page = await client.get('/account/webhook').loginAs(buyer)
    page.assertTextIncludes(`data-delivery="${delivery.eventId}"`)
    page.assertTextIncludes('gave up')
    page.assertTextIncludes('The endpoint answered HTTP 503.')
  })

  test('an unreachable endpoint is logged as such and retried', async ({ assert, cleanup }) => {
    const receiver = await webhookReceiver()
    const url = receiver.url
    await receiver.close()
    const { buyer } = await buyerWithWebhook(url)
    const webhooks = await app.container.make(WebhookService)
    const sent = await webhooks.sendTest(buyer)
    const delivery = (sent as { value: WebhookDelivery }).value
    cleanup(() => forgetDelivery(delivery.id))

    await assert.rejects(() => runDelivery(delivery.id, jobContext(1)), /could not be reached/)
    await delivery.refresh()
    assert.isNull(delivery.lastStatus)
    assert.match(delivery.lastError!, /could not be reached \(ECONNREFUSED\)/)
  })

  test('a secret the instance can no longer decrypt fails the attempt, sends nothing unsigned, and the page says what to do', async ({
    client,
    assert,
    cleanup,
  }) => {
    const receiver = await webhookReceiver()
    cleanup(() => receiver.close())
    const { buyer, endpoint } = await buyerWithWebhook(receiver.url)
    await db
      .from('buyer_webhooks')
      .where('id', endpoint.id)
      .update({ secret: 'sealed-with-an-old-app-key' })
    const webhookService = await app.container.make(WebhookService)
    const sent = await webhookService.sendTest(buyer)
    const delivery = (sent as { value: WebhookDelivery }).value
    cleanup(() => forgetDelivery(delivery.id))

    await assert.rejects(
      () => runDelivery(delivery.id, jobContext(1)),
      /signing secret cannot be read/
    )
    assert.lengthOf(receiver.received, 0, 'nothing is sent unsigned')
    const page = await client.get('/account/webhook').loginAs(buyer)
    page.assertStatus(200)
    page.assertTextIncludes('The secret cannot be read')
  })

  test('the page sets, replaces and removes the URL, keeps the secret encrypted, and sends a test event', async ({
    client,
    assert,
    cleanup,
  }) => {
    const receiver = await webhookReceiver()
    cleanup(() => receiver.close())
    const buyer = await makeUser('buyer')
    const webhooks = await app.container.make(WebhookService)

    const empty = await client.get('/account/webhook').loginAs(buyer)
    empty.assertStatus(200)
    empty.assertTextIncludes('No endpoint yet')

    const saved = await save(client, buyer, receiver.url)
    saved.assertHeader('location', '/account/webhook')
    saved.assertFlashMessage(
      'success',
      'Webhook saved. Copy its signing secret below to verify the events.'
    )
    const endpoint = await BuyerWebhook.findByOrFail('user_id', buyer.id)
    const webhookService = await app.container.make(WebhookService)
    const secret = webhookService.secretOf(endpoint)!
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{32}$/)
    assert.notInclude(endpoint.secret, secret, 'the secret is stored encrypted')

    const page = await client.get('/account/webhook').loginAs(buyer)
    page.assertTextIncludes(receiver.url)
    page.assertTextIncludes(
      `<p class="mt-2 break-all font-mono text-xs" data-testid="webhook-secret">${secret}</p>`
    )

    const sentTest = await client
      .post('/account/webhook/test')
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    sentTest.assertHeader('location', '/account/webhook')
    const delivery = await WebhookDelivery.query()
      .where('user_id', buyer.id)
      .where('event_type', 'test')
      .firstOrFail()
    cleanup(() => forgetDelivery(delivery.id))
    await runDelivery(delivery.id)
    assert.lengthOf(receiver.received, 1)
    assert.equal(JSON.parse(receiver.received[0].body).type, 'test')
    const log = await client.get('/account/webhook').loginAs(buyer)
    log.assertTextIncludes(`data-delivery="${delivery.eventId}"`)
    log.assertTextIncludes('delivered · 200')

    const replaced = await save(client, buyer, `${receiver.url}?v=2`)
    replaced.assertFlashMessage('success', 'Webhook URL replaced; the signing secret is unchanged.')
    const after = await BuyerWebhook.findByOrFail('user_id', buyer.id)
    assert.equal(after.id, endpoint.id)
    const afterReplace = await app.container.make(WebhookService)
    assert.equal(afterReplace.secretOf(after), secret)

    const rotated = await client
      .post('/account/webhook/secret')
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    rotated.assertHeader('location', '/account/webhook')
    const afterRotate = await app.container.make(WebhookService)
    assert.notEqual(
      afterRotate.secretOf(await BuyerWebhook.findByOrFail('user_id', buyer.id)),
      secret
    )

    const removed = await client
      .delete('/account/webhook')
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    removed.assertFlashMessage('success', 'Webhook removed: no more events are sent.')
    assert.isNull(await BuyerWebhook.findBy('user_id', buyer.id))
    assert.lengthOf(
      await db.from('webhook_deliveries').where('user_id', buyer.id),
      1,
      'the log of past deliveries stays'
    )

    // An event queued before the removal is closed, not sent anywhere.
    await webhooks.save(buyer, receiver.url)
    const pending = (await webhooks.sendTest(buyer)) as { value: WebhookDelivery }
    cleanup(() => forgetDelivery(pending.value.id))
    await client.delete('/account/webhook').loginAs(buyer).withCsrfToken().redirects(0)
    await runDelivery(pending.value.id)
    await pending.value.refresh()
    assert.isNotNull(pending.value.failedAt)
    assert.equal(
      pending.value.lastError,
      'The webhook was removed before this event was delivered.'
    )
    assert.lengthOf(receiver.received, 1)
  })

  test('a URL that is not http(s) is refused with a sentence: {title}')
    .with([
      {
        title: 'ftp',
        url: 'ftp://files.example.com/drop',
        message: 'Only http:// and https:// URLs can receive events.',
      },
      {
        title: 'javascript',
        url: 'javascript:alert(1)',
        message: 'Only http:// and https:// URLs can receive events.',
      },
      {
        title: 'not a URL',
        url: 'example.com/hook',
        message: 'This is not a URL: it should look like https://example.com/athera/events.',
      },
      {
        title: 'credentials',
        url: 'https://user:pw@example.com/hook',
        message:
          'Leave the user name and password out of the URL: the signature authenticates each event.',
      },
      { title: 'empty', url: '', message: 'Enter the URL that should receive the events.' },
    ])
    .run(async ({ client, assert }, { url, message }) => {
      const buyer = await makeUser('buyer')
      const response = await save(client, buyer, url)
      response.assertStatus(302)
      response.assertHeader('location', '/account/webhook')
      assert.deepEqual(fieldErrors(response, 'url'), [message])
      assert.isNull(await BuyerWebhook.findBy('user_id', buyer.id))
    })

  test('the instance’s own network is refused by default: at saving, and again at delivery (a name may resolve elsewhere later)', async ({
    client,
    assert,
    cleanup,
  }) => {
    const receiver = await webhookReceiver()
    cleanup(() => receiver.close())
    // Saved while internal targets were allowed (or a name that resolved elsewhere back then).
    const { buyer } = await buyerWithWebhook(receiver.url)
    webhooksConfig.allowInternal = false
    cleanup(() => {
      webhooksConfig.allowInternal = true
    })

    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://[::1]/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://10.1.2.3/hook',
      'http://[::ffff:192.168.0.1]/hook',
    ]) {
      const other = await makeUser('buyer')
      const response = await save(client, other, url)
      response.assertStatus(302)
      const [message] = fieldErrors(response, 'url')
      assert.match(
        message ?? '',
        /Events cannot be sent there: .* is an address of a private or local network/,
        url
      )
      assert.isNull(await BuyerWebhook.findBy('user_id', other.id), url)
    }

    const webhooks = await app.container.make(WebhookService)
    const sent = await webhooks.sendTest(buyer)
    const delivery = (sent as { value: WebhookDelivery }).value
    cleanup(() => forgetDelivery(delivery.id))
    await assert.rejects(() => runDelivery(delivery.id, jobContext(1)), /Not sent/)
    await delivery.refresh()
    assert.match(
      delivery.lastError!,
      /Not sent: 127\.0\.0\.1 is an address of a private or local network/
    )
    assert.lengthOf(receiver.received, 0, 'nothing reached the internal receiver')

    // A name is checked where it resolves when the request is made.
    const endpoint = (await BuyerWebhook.findBy('user_id', buyer.id))!
    endpoint.url = receiver.url.replace('127.0.0.1', 'localhost')
    await endpoint.save()
    const again = ((await webhooks.sendTest(buyer)) as { value: WebhookDelivery }).value
    cleanup(() => forgetDelivery(again.id))
    await assert.rejects(() => runDelivery(again.id, jobContext(1)), /Not sent/)
    assert.lengthOf(receiver.received, 0)
  })

  test('internal addresses: loopback, private, link-local, CGNAT and mapped forms are internal; public ones are not', ({
    assert,
  }) => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      'not-an-ip',
    ]) {
      assert.isTrue(isInternalAddress(address), address)
    }
    for (const address of [
      '93.184.216.34',
      '8.8.8.8',
      '172.32.0.1',
      '2606:4700::1111',
      '::ffff:1.1.1.1',
    ]) {
      assert.isFalse(isInternalAddress(address), address)
    }
  })

  test('a test event or a new secret without an endpoint is refused with a sentence', async ({
    client,
  }) => {
    const buyer = await makeUser('buyer')
    const sentTest = await client
      .post('/account/webhook/test')
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    sentTest.assertFlashMessage('error', 'Set a webhook URL first, then send it a test event.')
    const secret = await client
      .post('/account/webhook/secret')
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    secret.assertFlashMessage('error', 'Set a webhook URL first; its secret comes with it.')
  })

  test('creators and admins have no webhook page', async ({ client }) => {
    for (const role of ['creator', 'admin'] as const) {
      const response = await client.get('/account/webhook').loginAs(await makeUser(role))
      response.assertStatus(403)
    }
  })
})
