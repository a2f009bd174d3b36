import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import Licence from '#models/licence'
import Order from '#models/order'
import Transfer from '#models/transfer'
import type User from '#models/user'
import type DatasetVersion from '#models/dataset_version'
import app from '@adonisjs/core/services/app'
import { ConsentService } from '#app/consent/consent_service'
import { splitSale } from '#app/commerce/ledger_split'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import type { FakeStripe } from '#tests/helpers/fake_stripe'
import {
  ledgerOf,
  moneyRows,
  readyCreator,
  sessionIdOf,
  useFakeStripe,
  versionOf,
} from './helpers.js'
import { agreement } from '#tests/helpers/licence_texts'
import { CreatorTransfers } from '#app/commerce/creator_transfers'
import RetryPendingTransfers from '#jobs/retry_pending_transfers'
import { schedules } from '#jobs/registry'

/** The buyer starts a checkout through the app; the fake holds the open session. */
async function checkout(client: ApiClient, buyer: User, version: DatasetVersion) {
  const response = await client
    .post(`/checkout/${version.id}`)
    .form(await agreement(version.licenceType))
    .loginAs(buyer)
    .withCsrfToken()
    .redirects(0)
  response.assertStatus(303)
  const order = await Order.query()
    .where('buyer_id', buyer.id)
    .where('dataset_version_id', version.id)
    .orderBy('created_at', 'desc')
    .firstOrFail()
  return { order, sessionId: sessionIdOf(response.header('location') ?? '') }
}

/** Checkout, then the fake's "Pay": returns the order as the webhook left it. */
async function buy(client: ApiClient, fake: FakeStripe, buyer: User, version: DatasetVersion) {
  const { order, sessionId } = await checkout(client, buyer, version)
  const paid = await fake.pay(sessionId)
  await order.refresh()
  return { order, ...paid }
}

test.group('Stripe webhooks', (group) => {
  group.each.setup(isolate)

  test('a sale after a withdrawal gives the withdrawn creator nothing; the licence says a clip was excluded', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const seconds = [10, 20, 30]
    const { version, creators, clips } = await versionOf(2500, seconds)
    const consent = await app.container.make(ConsentService)
    // One creator withdraws the clip whole, another withdraws licensing only.
    await consent.withdraw(creators[0], clips[0].id, { ip: null, userAgent: null })
    await consent.withdraw(creators[1], clips[1].id, {
      ip: null,
      userAgent: null,
      scope: 'licensing',
    })

    const { order, delivery } = await buy(client, fake, buyer, version)
    assert.equal(delivery.status, 200, delivery.body)

    const expected = splitSale(2500, 2000, [{ creatorId: creators[2].id, seconds: 30 }])
    const { rows, sums } = await ledgerOf(order.id)
    assert.deepEqual(sums, [0])
    const shares = rows
      .filter((row) => row.kind === 'creator_share')
      .map((row) => ({ creatorId: row.userId, cents: row.amountCents }))
    assert.deepEqual(shares, expected.shares)
    assert.equal(shares[0].cents + order.platformFeeCents, 2500)
    assert.notInclude(
      shares.map((share) => share.creatorId),
      creators[0].id
    )
    assert.notInclude(
      shares.map((share) => share.creatorId),
      creators[1].id
    )

    const licence = await Licence.query().where('order_id', order.id).firstOrFail()
    assert.equal(licence.excludedClips, 2)
    const page = await client.get(`/licences/${licence.id}`).loginAs(buyer)
    page.assertTextIncludes('data-excluded-clips="2"')
    page.assertTextIncludes('their creators were not paid for it')
  })

  test('ledger sums are exact for awkward amounts and several creators', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    for (const amount of [999, 1001, 9999, 12_347]) {
      const seconds = [3.3, 12.5, 0.75, 59.999, 7]
      const { version, creators } = await versionOf(amount, seconds)
      const { order, delivery } = await buy(client, fake, buyer, version)
      assert.equal(delivery.status, 200, delivery.body)

      const expected = splitSale(
        amount,
        2000,
        creators.map((creator, index) => ({ creatorId: creator.id, seconds: seconds[index] }))
      )
      assert.equal(order.status, 'paid')
      assert.equal(order.amountCents, amount)
      assert.equal(order.platformFeeCents, expected.platformFeeCents)
      const { groups, sums, rows } = await ledgerOf(order.id)
      assert.lengthOf(groups, 1, `${amount}: one sale group (no creator account is ready)`)
      assert.deepEqual(sums, [0])
      assert.equal(rows.find((row) => row.kind === 'sale')!.amountCents, -amount)
      assert.equal(
        rows.find((row) => row.kind === 'platform_fee')!.amountCents,
        expected.platformFeeCents
      )
      const shares = rows.filter((row) => row.kind === 'creator_share')
      assert.deepEqual(
        shares
          .map((row) => ({ creatorId: row.userId, cents: row.amountCents }))
          .sort((a, b) => a.creatorId! - b.creatorId!),
        expected.shares
      )
      assert.equal(
        shares.reduce((sum, row) => sum + row.amountCents, 0) + order.platformFeeCents,
        amount
      )
      // Nobody's account is ready: every share waits as a pending transfer funded by the charge.
      const transfers = await Transfer.query().where('order_id', order.id)
      assert.lengthOf(transfers, expected.shares.length)
      assert.isTrue(
        transfers.every(
          (transfer) =>
            transfer.status === 'pending' && transfer.sourceTransaction === order.stripeChargeId
        )
      )
    }
  })

  test('the same event five times gives one licence and one set of ledger rows', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version, creators } = await versionOf(2500, [10, 20])
    await readyCreator(fake, creators[0])
    const { order, event } = await buy(client, fake, buyer, version)
    const once = await moneyRows()

    for (let delivery = 0; delivery < 4; delivery++) {
      const again = await fake.resend(event.id)
      assert.equal(again.status, 200)
      assert.include(again.body, '"duplicate"')
    }

    assert.deepEqual(await moneyRows(), once)
    assert.lengthOf(await Licence.query().where('order_id', order.id), 1)
    const ledger = await ledgerOf(order.id)
    assert.lengthOf(ledger.groups, 2, 'the sale and the one transfer sent')
    assert.lengthOf([...fake.transfers.values()], 1, 'one transfer at Stripe')
    const counted = await db
      .from('webhook_events')
      .where('stripe_event_id', event.id)
      .count('* as n')
    assert.equal(Number(counted[0].n), 1)
  })

  test('a forged, stale or missing signature is a 400 and writes nothing', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version } = await versionOf(4000, [5])
    const { order, sessionId } = await checkout(client, buyer, version)
    const session = fake.sessions.get(sessionId)!
    // A completed session as an attacker would describe it.
    const event = fake.event('checkout.session.completed', {
      ...session,
      status: 'complete',
      payment_status: 'paid',
    })
    const before = await moneyRows()

    const forged = await fake.deliver(event, { secret: 'whsec_not_the_real_one' })
    const stale = await fake.deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 600 })
    const garbage = await fake.deliver(event, { signature: 't=1,v1=deadbeef' })
    const missing = await client.post('/webhooks/stripe').json(event)

    for (const delivery of [forged, stale, garbage])
      assert.equal(delivery.status, 400, delivery.body)
    missing.assertStatus(400)
    assert.deepEqual(await moneyRows(), before)
    assert.equal(before.webhookEvents, 0)
    await order.refresh()
    assert.equal(order.status, 'pending')
  })

  test('a second completion of the same session changes nothing', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version } = await versionOf(3000, [4, 4, 4])
    const { order, session } = await buy(client, fake, buyer, version)
    const once = await moneyRows()

    // Another event id for the same session, as Stripe may send after a retry on its side.
    const twin = await fake.deliver(fake.event('checkout.session.completed', session))

    assert.equal(twin.status, 200)
    assert.include(twin.body, `already paid`)
    assert.deepEqual(await moneyRows(), { ...once, webhookEvents: once.webhookEvents + 1 })
    const ledger = await ledgerOf(order.id)
    assert.lengthOf(ledger.groups, 1)
  })

  test('a refund that arrives before the payment waits; once paid, its redelivery refunds', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version } = await versionOf(5000, [10, 30])
    const { order, sessionId } = await checkout(client, buyer, version)
    // Pay without delivering: the fake's webhook URL is cleared while it pays and refunds.
    const url = fake.webhookUrl
    fake.webhookUrl = undefined
    const { event: completed, charge } = await fake.pay(sessionId)
    const { event: refunded } = await fake.refund(charge.id)
    fake.webhookUrl = url
    const before = await moneyRows()

    const early = await fake.resend(refunded.id)
    assert.equal(early.status, 409, early.body)
    await order.refresh()
    assert.equal(order.status, 'pending')
    const afterEarly = await moneyRows()
    assert.deepEqual(
      { ...afterEarly, webhookEvents: before.webhookEvents },
      before,
      'only the event row (with its error) is kept'
    )
    const row = await db.from('webhook_events').where('stripe_event_id', refunded.id).firstOrFail()
    assert.isNull(row.processed_at)
    assert.match(row.error, /no paid order/)

    const resent = await fake.resend(completed.id)
    assert.equal(resent.status, 200)
    await order.refresh()
    assert.equal(order.status, 'paid')
    const resent2 = await fake.resend(refunded.id)
    assert.equal(resent2.status, 200)
    await order.refresh()
    assert.equal(order.status, 'refunded')
    const licence = await Licence.findByOrFail('order_id', order.id)
    assert.isNotNull(licence.revokedAt)
  })

  test('a refund revokes the licence and reverses the ledger and the transfers', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version, creators } = await versionOf(7777, [25, 50, 10])
    const account = await readyCreator(fake, creators[1])
    const { order, charge } = await buy(client, fake, buyer, version)

    const sent = await Transfer.findByOrFail({ orderId: order.id, creatorId: creators[1].id })
    assert.equal(sent.status, 'paid')
    assert.equal(sent.sourceTransaction, charge.id)
    const atStripe = fake.transfers.get(sent.stripeTransferId!)!
    assert.equal(atStripe.destination, account.id)
    assert.equal(atStripe.source_transaction, charge.id)
    assert.equal(atStripe.amount, sent.amountCents)

    const { delivery } = await fake.refund(charge.id)
    assert.equal(delivery.status, 200, delivery.body)

    await order.refresh()
    assert.equal(order.status, 'refunded')
    assert.isNotNull(order.refundedAt)
    const licence = await Licence.findByOrFail('order_id', order.id)
    assert.isNotNull(licence.revokedAt)
    assert.match(licence.revokeReason!, /refunded/)

    await sent.refresh()
    assert.equal(sent.status, 'reversed')
    assert.equal(atStripe.amount_reversed, sent.amountCents)
    assert.equal(sent.stripeReversalId, atStripe.reversals.data[0].id)
    const pending = await Transfer.query()
      .where('order_id', order.id)
      .whereNot('creator_id', creators[1].id)
    assert.isTrue(
      pending.every(
        (transfer) => transfer.status === 'failed' && /refunded/.test(transfer.failureReason!)
      )
    )

    // sale, transfer, sale reversal, transfer reversal: each balanced, and every account nets to zero.
    const { groups, sums, rows } = await ledgerOf(order.id)
    assert.lengthOf(groups, 4)
    assert.deepEqual(sums, [0, 0, 0, 0])
    const net = new Map<string, number>()
    for (const row of rows)
      net.set(
        `${row.account}:${row.userId}`,
        (net.get(`${row.account}:${row.userId}`) ?? 0) + row.amountCents
      )
    assert.isTrue(
      [...net.values()].every((value) => value === 0),
      JSON.stringify([...net])
    )

    // Delivered again: nothing more is reversed.
    const again = await fake.resend(fake.events.at(-1)!.id)
    assert.equal(again.status, 200)
    const ledger = await ledgerOf(order.id)
    assert.lengthOf(ledger.groups, 4)
    assert.lengthOf(atStripe.reversals.data, 1)
  })

  test('a refund whose transfer reversal fails at Stripe keeps nothing, and succeeds when delivered again', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version, creators } = await versionOf(3000, [10, 10])
    await readyCreator(fake, creators[0])
    await readyCreator(fake, creators[1])
    const { order, charge } = await buy(client, fake, buyer, version)
    const paid = await moneyRows()
    const url = fake.webhookUrl
    fake.webhookUrl = undefined
    const { event } = await fake.refund(charge.id)
    fake.webhookUrl = url

    // The first reversal goes through at Stripe, the second fails (with the client's retries):
    // the whole event rolls back.
    const [first] = await Transfer.query().where('order_id', order.id).orderBy('id')
    const reversed = fake.transfers.get(first.stripeTransferId!)!
    fake.failNext = {
      status: 500,
      type: 'api_error',
      message: 'Something went wrong on our end.',
      path: /\/reversals$/,
      skip: 1,
      times: 3,
    }
    const delivery = await fake.resend(event.id)
    assert.equal(delivery.status, 503, delivery.body)
    assert.deepEqual(await moneyRows(), { ...paid, webhookEvents: paid.webhookEvents + 1 })
    await order.refresh()
    assert.equal(order.status, 'paid')
    const storedLicence = await Licence.findByOrFail('order_id', order.id)
    assert.isNull(storedLicence.revokedAt)
    const transfers2 = await Transfer.query().where('order_id', order.id)
    assert.isTrue(transfers2.every((transfer) => transfer.status === 'paid'))

    // Stripe delivers it again: the reversal already made is replayed by its idempotency key.
    fake.failNext = null
    const again = await fake.resend(event.id)
    assert.equal(again.status, 200, again.body)
    await order.refresh()
    assert.equal(order.status, 'refunded')
    const transfers3 = await Transfer.query().where('order_id', order.id)
    assert.isTrue(transfers3.every((transfer) => transfer.status === 'reversed'))
    assert.lengthOf(reversed.reversals.data, 1)
    const ledger = await ledgerOf(order.id)
    assert.deepEqual(ledger.sums, [0, 0, 0, 0, 0, 0])
  })

  test('an expired checkout cancels its pending order', async ({ client, assert, cleanup }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version } = await versionOf(3000, [10])
    const { order, sessionId } = await checkout(client, buyer, version)

    const delivery = await fake.deliver(
      fake.event('checkout.session.expired', {
        ...fake.sessions.get(sessionId)!,
        status: 'expired',
      })
    )

    assert.equal(delivery.status, 200, delivery.body)
    await order.refresh()
    assert.equal(order.status, 'cancelled')
  })

  test('a creator whose account becomes ready receives the pending transfer', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version, creators } = await versionOf(2000, [10])
    const { order, charge } = await buy(client, fake, buyer, version)
    const transfer = await Transfer.findByOrFail('order_id', order.id)
    assert.equal(transfer.status, 'pending')

    // The creator onboards: an account is created, then Stripe says it is ready.
    const account = await fake.readyAccount(creators[0].email)
    Object.assign(account, { capabilities: { transfers: 'inactive' }, details_submitted: false })
    creators[0].merge({ stripeAccountId: account.id, stripeAccountStatus: 'pending' })
    await creators[0].save()
    const { delivery } = await fake.setAccountReady(account.id)
    assert.equal(delivery.status, 200, delivery.body)

    await creators[0].refresh()
    assert.equal(creators[0].stripeAccountStatus, 'ready')
    await transfer.refresh()
    assert.equal(transfer.status, 'paid')
    assert.equal(fake.transfers.get(transfer.stripeTransferId!)!.source_transaction, charge.id)
    const ledger = await ledgerOf(order.id)
    assert.deepEqual(ledger.sums, [0, 0])
  })

  test('a transfer Stripe refuses stays a pending balance; the sale is kept', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version, creators } = await versionOf(2000, [10])
    const account = await readyCreator(fake, creators[0])
    // Stripe disabled the account after we last heard from it.
    fake.accounts.get(account.id)!.capabilities.transfers = 'inactive'

    const { order, delivery } = await buy(client, fake, buyer, version)

    assert.equal(delivery.status, 200)
    assert.equal(order.status, 'paid')
    const transfer = await Transfer.findByOrFail('order_id', order.id)
    assert.equal(transfer.status, 'pending')
    assert.match(transfer.failureReason!, /Stripe refused to send the transfer/)
    const ledger = await ledgerOf(order.id)
    assert.lengthOf(ledger.groups, 1)
    assert.isNotNull(await Licence.findBy('order_id', order.id))
  })

  test('a refund of a charge no order knows is recorded for admins and answered 200', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const admin = await makeUser('admin')
    const charge = {
      id: 'ch_unknown_1',
      object: 'charge',
      amount: 4200,
      amount_refunded: 4200,
      refunded: true,
      currency: 'usd',
      payment_intent: 'pi_unknown_1',
      metadata: {},
      created: Math.floor(Date.now() / 1000) - 86_400,
      livemode: false,
    }
    // Fresh, it may still precede its payment: refused, so Stripe delivers it again.
    const fresh = await fake.deliver(fake.event('charge.refunded', charge))
    assert.equal(fresh.status, 409, fresh.body)
    // Two hours on, Stripe's retry of an event nothing will ever match: accepted and recorded.
    const old = fake.event('charge.refunded', { ...charge, id: 'ch_unknown_2' })
    old.created -= 2 * 3600
    const before = await moneyRows()
    const delivery = await fake.deliver(old)
    assert.equal(delivery.status, 200, delivery.body)
    const resent = await fake.resend(old.id)
    assert.equal(resent.status, 200)
    const anomalies = await db.from('payment_anomalies')
    assert.lengthOf(anomalies, 1)
    assert.equal(anomalies[0].stripe_object_id, 'ch_unknown_2')
    assert.match(anomalies[0].detail, /matches no order/)
    assert.deepEqual({ ...(await moneyRows()), webhookEvents: 0 }, { ...before, webhookEvents: 0 })

    const page = await client.get('/admin/ledger').loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes(`data-anomaly="${old.id}"`)
    page.assertTextIncludes('ch_unknown_2')

    // A refund of an order that was cancelled (never paid here) is recorded at once.
    const buyer = await makeUser('buyer')
    const { version } = await versionOf(3000, [10])
    const { order } = await checkout(client, buyer, version)
    await Order.query()
      .where('id', order.id)
      .update({ status: 'cancelled', stripe_payment_intent_id: 'pi_cancelled' })
    const late = await fake.deliver(
      fake.event('charge.refunded', {
        ...charge,
        id: 'ch_cancelled',
        payment_intent: 'pi_cancelled',
      })
    )
    assert.equal(late.status, 200, late.body)
    assert.lengthOf(await db.from('payment_anomalies'), 2)
  })

  test('a partial refund keeps the licence and takes its part from the fee and the shares; the rest revokes it', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version, creators } = await versionOf(10_000, [10, 30])
    await readyCreator(fake, creators[1])
    const { order, charge } = await buy(client, fake, buyer, version)
    const sent = await Transfer.findByOrFail({ orderId: order.id, creatorId: creators[1].id })
    const waiting = await Transfer.findByOrFail({ orderId: order.id, creatorId: creators[0].id })
    assert.equal(sent.status, 'paid')
    assert.equal(waiting.status, 'pending')
    const shares = { sent: sent.amountCents, waiting: waiting.amountCents }

    const { delivery, event } = await fake.refund(charge.id, 2500)
    assert.equal(delivery.status, 200, delivery.body)
    await order.refresh()
    assert.equal(order.status, 'paid')
    assert.equal(order.refundedCents, 2500)
    const licence = await Licence.findByOrFail('order_id', order.id)
    assert.isNull(licence.revokedAt, 'a partial refund keeps the licence')

    const ledger = await ledgerOf(order.id)
    const refund = ledger.rows.filter((row) => row.kind === 'refund')
    assert.deepEqual(
      refund.map((row) => [row.account, row.userId, row.amountCents]),
      [
        ['cash', null, 2500],
        ['creator_payable', creators[0].id, -shares.waiting / 4],
        ['creator_payable', creators[1].id, -shares.sent / 4],
        ['platform_revenue', null, -order.platformFeeCents / 4],
      ]
    )
    await sent.refresh()
    await waiting.refresh()
    assert.equal(sent.reversedCents, shares.sent / 4)
    assert.equal(fake.transfers.get(sent.stripeTransferId!)!.amount_reversed, shares.sent / 4)
    assert.equal(waiting.amountCents, shares.waiting * 0.75, 'the unsent transfer sends less')
    const ledger2 = await ledgerOf(order.id)
    assert.isTrue(ledger2.sums.every((sum) => sum === 0))

    // Delivered again: nothing more.
    const ledger3 = await ledgerOf(order.id)
    const entries = ledger3.rows.length
    const resent = await fake.resend(event.id)
    assert.equal(resent.status, 200)
    const ledger4 = await ledgerOf(order.id)
    assert.equal(ledger4.rows.length, entries)

    // The rest refunded: licence revoked, every account of the order back to zero.
    const refund2 = await fake.refund(charge.id)
    assert.equal(refund2.delivery.status, 200)
    await order.refresh()
    assert.equal(order.status, 'refunded')
    assert.equal(order.refundedCents, 10_000)
    await licence.refresh()
    assert.isNotNull(licence.revokedAt)
    await sent.refresh()
    assert.equal(sent.status, 'reversed')
    assert.equal(fake.transfers.get(sent.stripeTransferId!)!.amount_reversed, shares.sent)
    const { rows, sums } = await ledgerOf(order.id)
    assert.isTrue(sums.every((sum) => sum === 0))
    const net = new Map<string, number>()
    for (const row of rows)
      net.set(
        `${row.account}:${row.userId}`,
        (net.get(`${row.account}:${row.userId}`) ?? 0) + row.amountCents
      )
    assert.isTrue(
      [...net.values()].every((value) => value === 0),
      JSON.stringify([...net])
    )
  })

  test('a dispute holds the money and keeps the licence; won gives both back, lost revokes', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const other = await makeUser('buyer')
    const { version, creators } = await versionOf(6000, [10])
    const won = await buy(client, fake, buyer, version)
    const lost = await buy(client, fake, other, version)
    await readyCreator(fake, creators[0])

    // Won: while open the share waits (even for the scheduled retry), the licence stays.
    const opened = await fake.dispute(won.charge.id)
    assert.equal(opened.delivery.status, 200, opened.delivery.body)
    const resent = await fake.resend(opened.event.id)
    assert.equal(resent.status, 200)
    await won.order.refresh()
    assert.equal(won.order.disputeStatus, 'needs_response')
    const ledger = await ledgerOf(won.order.id)
    const held = ledger.rows.filter((row) => row.kind === 'dispute')
    assert.deepEqual(
      held.map((row) => [row.account, row.amountCents]),
      [
        ['cash', 6000],
        ['disputed_funds', -6000],
      ]
    )
    await app.container.make(CreatorTransfers).then((service) => service.retryPendingTransfers())
    const storedTransfer = await Transfer.findByOrFail('order_id', won.order.id)
    assert.equal(storedTransfer.status, 'pending')
    const storedLicence = await Licence.findByOrFail('order_id', won.order.id)
    assert.isNull(storedLicence.revokedAt)
    const closed = await fake.closeDispute(opened.dispute.id, 'won')
    assert.equal(closed.delivery.status, 200, closed.delivery.body)
    await won.order.refresh()
    assert.equal(won.order.status, 'paid')
    assert.equal(won.order.disputeStatus, 'won')
    const storedLicence2 = await Licence.findByOrFail('order_id', won.order.id)
    assert.isNull(storedLicence2.revokedAt)
    const storedTransfer2 = await Transfer.findByOrFail('order_id', won.order.id)
    assert.equal(storedTransfer2.status, 'paid', 'the held share goes out')

    // Lost: as a refund — licence revoked, share taken back, every account of the order at zero.
    await fake.dispute(lost.charge.id)
    const verdict = await fake.closeDispute([...fake.disputes.values()].at(-1)!.id, 'lost')
    assert.equal(verdict.delivery.status, 200, verdict.delivery.body)
    const resent2 = await fake.resend(verdict.event.id)
    assert.equal(resent2.status, 200)
    await lost.order.refresh()
    assert.equal(lost.order.status, 'refunded')
    assert.equal(lost.order.disputeStatus, 'lost')
    const revoked = await Licence.findByOrFail('order_id', lost.order.id)
    assert.isNotNull(revoked.revokedAt)
    assert.match(revoked.revokeReason!, /dispute lost/)
    // Sent by the scheduled retry above (that order was not disputed then): taken back now.
    const storedTransfer3 = await Transfer.findByOrFail('order_id', lost.order.id)
    assert.equal(storedTransfer3.status, 'reversed')
    for (const orderId of [won.order.id, lost.order.id]) {
      const { rows, sums } = await ledgerOf(orderId)
      assert.isTrue(sums.every((sum) => sum === 0))
      const net = new Map<string, number>()
      for (const row of rows)
        net.set(
          `${row.account}:${row.userId}`,
          (net.get(`${row.account}:${row.userId}`) ?? 0) + row.amountCents
        )
      if (orderId === lost.order.id)
        assert.isTrue(
          [...net.values()].every((value) => value === 0),
          JSON.stringify([...net])
        )
      else assert.equal(net.get('disputed_funds:null'), 0)
    }

    // A dispute of a charge this instance never sold: recorded for the admins, answered 200.
    const stranger = fake.event('charge.dispute.created', {
      id: 'dp_stranger',
      object: 'dispute',
      amount: 900,
      currency: 'usd',
      charge: 'ch_stranger',
      payment_intent: null,
      status: 'needs_response',
      reason: 'general',
      metadata: {},
      created: 0,
      livemode: false,
    })
    const delivered = await fake.deliver(stranger)
    assert.equal(delivered.status, 200)
    assert.lengthOf(await db.from('payment_anomalies').where('stripe_object_id', 'dp_stranger'), 1)
  })

  test('the scheduled job sends a transfer left pending, with the same idempotency key', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const buyer = await makeUser('buyer')
    const { version, creators } = await versionOf(2000, [10])
    await readyCreator(fake, creators[0])
    // Stripe is down while the sale is recorded (every retry of the client too).
    fake.failNext = {
      status: 500,
      type: 'api_error',
      message: 'Something went wrong on our end.',
      path: /^\/v1\/transfers$/,
      times: 10,
    }
    const { order, delivery } = await buy(client, fake, buyer, version)
    assert.equal(delivery.status, 200, delivery.body)
    fake.failNext = null
    const transfer = await Transfer.findByOrFail('order_id', order.id)
    assert.equal(transfer.status, 'pending')

    assert.deepInclude(schedules, { name: 'retry-pending-transfers', everyMs: 15 * 60 * 1000 })
    const job = await app.container.make(RetryPendingTransfers)
    await job.handle(
      {},
      { jobId: 'test', attempt: 1, finalAttempt: false, reportProgress: async () => {} }
    )

    await transfer.refresh()
    assert.equal(transfer.status, 'paid')
    const keys = fake.requests
      .filter((request) => request.method === 'POST' && request.path === '/v1/transfers')
      .map((request) => request.idempotencyKey)
    assert.isAbove(keys.length, 1)
    assert.deepEqual([...new Set(keys)], [`transfer-${transfer.id}`])
    assert.lengthOf(fake.transfers, 1)
    const ledger = await ledgerOf(order.id)
    assert.deepEqual(ledger.sums, [0, 0])
  })
})
