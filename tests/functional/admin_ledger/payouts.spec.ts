import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import AuditLog from '#models/audit_log'
import Licence from '#models/licence'
import Order from '#models/order'
import Transfer from '#models/transfer'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import {
  ledgerOf,
  readyCreator,
  useFakeStripe,
  versionOf,
  withoutStripe,
} from '#tests/functional/commerce/helpers'
import { buy } from './helpers.js'

const REFUSAL = {
  status: 400,
  type: 'invalid_request_error',
  message:
    'Your destination account needs to have at least one of the following capabilities enabled: transfers',
  path: /^\/v1\/transfers$/,
}

/** The creator's payable balance in the ledger (what is still owed to them). */
async function owedTo(creatorId: number) {
  const row = await db
    .from('ledger_entries')
    .where('account', 'creator_payable')
    .where('user_id', creatorId)
    .sum('amount_cents as total')
    .first()
  return Number(row?.total ?? 0)
}

test.group('Admin payouts: balances, transfer retries, refunds', (group) => {
  group.each.setup(isolate)

  test('a transfer Stripe refused is retried by an admin: paid, ledger balanced, audited', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const admin = await makeUser('admin')
    const buyer = await makeUser('buyer')
    const { version, creators } = await versionOf(5000, [30])
    await readyCreator(fake, creators[0])
    fake.failNext = { ...REFUSAL }
    const { order } = await buy(client, fake, buyer, version)

    const transfer = await Transfer.findByOrFail({ orderId: order.id, creatorId: creators[0].id })
    assert.equal(transfer.status, 'pending')
    assert.match(transfer.failureReason!, /capabilities/)
    assert.equal(transfer.refusals, 1)
    assert.equal(await owedTo(creators[0].id), transfer.amountCents)

    const page = await client
      .get(`/admin/payouts?status=failed&creator=${creators[0].id}`)
      .loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes(`data-transfer="${transfer.id}" data-status="failed"`)
    page.assertTextIncludes(`data-pending="${transfer.amountCents}"`)
    page.assertTextIncludes(`data-retry="${transfer.id}"`)

    const retry = await client
      .post(`/admin/transfers/${transfer.id}/retry`)
      .header('referer', '/admin/payouts')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    retry.assertStatus(302)
    assert.equal(retry.header('location'), '/admin/payouts')
    assert.match(String(retry.flashMessages().success), /was sent/)

    await transfer.refresh()
    assert.equal(transfer.status, 'paid')
    assert.isNull(transfer.failureReason)
    // A new idempotency key after the refusal: Stripe would replay the refusal to the old one.
    assert.lengthOf([...fake.transfers.values()], 1)
    assert.equal(fake.transfers.get(transfer.stripeTransferId!)!.amount, transfer.amountCents)
    const { groups, sums } = await ledgerOf(order.id)
    assert.lengthOf(groups, 2, 'the sale and the transfer')
    assert.deepEqual(sums, [0, 0])
    assert.equal(await owedTo(creators[0].id), 0)

    const audit = await AuditLog.query()
      .where('action', 'transfer.retried')
      .where('subject_id', String(transfer.id))
    assert.lengthOf(audit, 1)
    assert.equal(audit[0].actorId, admin.id)
    assert.equal(audit[0].meta.outcome, 'sent')
    assert.equal(audit[0].meta.stripeTransferId, transfer.stripeTransferId)

    const balances = await client
      .get(`/admin/payouts?creator=${creators[0].email.toUpperCase()}`)
      .loginAs(admin)
    balances.assertTextIncludes(`data-transferred="${transfer.amountCents}"`)
    balances.assertTextIncludes('data-pending="0"')

    // Sent already: a second retry is refused with a sentence and writes nothing.
    const again = await client
      .post(`/admin/transfers/${transfer.id}/retry`)
      .header('referer', '/admin/payouts')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    assert.match(String(again.flashMessages().error), /already paid/)
    assert.lengthOf(await AuditLog.query().where('action', 'transfer.retried'), 1)
    assert.lengthOf([...fake.transfers.values()], 1)
  })

  test('a refused retry is audited with Stripe’s reason and the share stays owed', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const admin = await makeUser('admin')
    const { version, creators } = await versionOf(3000, [10])
    await readyCreator(fake, creators[0])
    fake.failNext = { ...REFUSAL, times: 2 }
    const { order } = await buy(client, fake, await makeUser('buyer'), version)
    const transfer = await Transfer.findByOrFail({ orderId: order.id })

    const retry = await client
      .post(`/admin/transfers/${transfer.id}/retry`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    assert.match(String(retry.flashMessages().error), /Stripe refused the transfer again/)
    await transfer.refresh()
    assert.equal(transfer.status, 'pending')
    assert.equal(transfer.refusals, 2)
    assert.equal(await owedTo(creators[0].id), transfer.amountCents)
    const audit = await AuditLog.findByOrFail({
      action: 'transfer.retried',
      subjectId: String(transfer.id),
    })
    assert.equal(audit.meta.outcome, 'refused')
    assert.match(String(audit.meta.failureReason), /capabilities/)
  })

  test('a retry is refused while the creator’s account is not ready, and writes nothing', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const admin = await makeUser('admin')
    const { version } = await versionOf(2000, [10])
    const { order } = await buy(client, fake, await makeUser('buyer'), version)
    const transfer = await Transfer.findByOrFail({ orderId: order.id })

    const retry = await client
      .post(`/admin/transfers/${transfer.id}/retry`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    retry.assertStatus(302)
    assert.match(String(retry.flashMessages().error), /Stripe account is not connected/)
    await transfer.refresh()
    assert.equal(transfer.status, 'pending')
    assert.lengthOf(await AuditLog.query().where('action', 'transfer.retried'), 0)
    assert.lengthOf([...fake.transfers.values()], 0)

    // Waiting, not refused: listed under "pending", not "failed", and offered no retry button.
    const pending = await client.get('/admin/payouts?status=pending').loginAs(admin)
    pending.assertTextIncludes(`data-transfer="${transfer.id}" data-status="pending"`)
    pending.assertTextIncludes('Waits for the creator')
    assert.notInclude(pending.text(), `data-retry="${transfer.id}"`)
    const failed = await client.get('/admin/payouts?status=failed').loginAs(admin)
    assert.notInclude(failed.text(), `data-transfer="${transfer.id}"`)
    const bad = await client.get('/admin/payouts?status=lost').loginAs(admin)
    bad.assertTextIncludes('Status must be one of pending, failed, paid, reversed.')
  })

  test('a pending share whose account is ready now is sent by the admin', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const admin = await makeUser('admin')
    const { version, creators } = await versionOf(2000, [10])
    const { order } = await buy(client, fake, await makeUser('buyer'), version)
    const transfer = await Transfer.findByOrFail({ orderId: order.id })
    // Ready at Stripe and in our row, but the account.updated that would have sent it never came.
    await readyCreator(fake, creators[0])

    const page = await client.get('/admin/payouts?status=pending').loginAs(admin)
    page.assertTextIncludes(`data-retry="${transfer.id}"`)
    const retry = await client
      .post(`/admin/transfers/${transfer.id}/retry`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    assert.match(String(retry.flashMessages().success), /was sent/)
    await transfer.refresh()
    assert.equal(transfer.status, 'paid')
    assert.equal(transfer.refusals, 0)
    assert.equal(await owedTo(creators[0].id), 0)
    const ledger = await ledgerOf(order.id)
    assert.deepEqual(ledger.sums, [0, 0])
  })

  test('an unknown transfer or order is a 404 and writes nothing', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const retry = await client
      .post('/admin/transfers/987654/retry')
      .header('accept', 'text/html')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    retry.assertStatus(404)
    const refund = await client
      .post('/admin/orders/00000000-0000-4000-8000-000000000000/refund')
      .form({ reason: 'No such order' })
      .header('accept', 'text/html')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    refund.assertStatus(404)
    const malformed = await client
      .post('/admin/orders/not-an-id/refund')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    malformed.assertStatus(404)
    assert.lengthOf(
      await AuditLog.query().whereIn('action', ['transfer.retried', 'order.refund_requested']),
      0
    )
  })

  test('an admin requests a refund; charge.refunded then reverses the ledger and revokes the licence', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const admin = await makeUser('admin')
    const { version, creators } = await versionOf(4000, [20, 20])
    await readyCreator(fake, creators[0])
    const { order, charge } = await buy(client, fake, await makeUser('buyer'), version)

    const page = await client.get(`/admin/ledger?order=${order.id}`).loginAs(admin)
    page.assertTextIncludes('data-refund-form')

    const empty = await client
      .post(`/admin/orders/${order.id}/refund`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    empty.assertStatus(302)
    assert.lengthOf([...fake.refunds.values()], 0, 'no reason, no refund')

    const request = () =>
      client
        .post(`/admin/orders/${order.id}/refund`)
        .form({ reason: 'Bought twice by mistake' })
        .loginAs(admin)
        .withCsrfToken()
        .redirects(0)
    const first = await request()
    first.assertStatus(302)
    assert.equal(first.header('location'), `/admin/ledger?order=${order.id}`)
    assert.match(String(first.flashMessages().success), /Stripe accepted the refund/)
    // A second click before Stripe's webhook gets the same refund back (one key per order).
    await request()
    const refunds = [...fake.refunds.values()]
    assert.lengthOf(refunds, 1)
    assert.equal(refunds[0].charge, charge.id)
    assert.equal(refunds[0].metadata.order_id, order.id)
    await order.refresh()
    assert.equal(order.status, 'paid', 'nothing changes until Stripe confirms')
    const audit = await AuditLog.query()
      .where('action', 'order.refund_requested')
      .where('subject_id', order.id)
    assert.lengthOf(audit, 2)
    assert.equal(audit[0].meta.reason, 'Bought twice by mistake')
    assert.equal(audit[0].meta.refundId, refunds[0].id)
    assert.equal(audit[0].actorId, admin.id)

    const delivery = await fake.deliver(fake.event('charge.refunded', fake.charges.get(charge.id)!))
    assert.equal(delivery.status, 200, delivery.body)
    await order.refresh()
    assert.equal(order.status, 'refunded')
    const storedLicence = await Licence.findByOrFail('order_id', order.id)
    assert.isNotNull(storedLicence.revokedAt)
    const { sums } = await ledgerOf(order.id)
    assert.isTrue(sums.every((sum) => sum === 0))
    for (const creator of creators) assert.equal(await owedTo(creator.id), 0)

    const balances = await client.get(`/admin/payouts?creator=${creators[1].id}`).loginAs(admin)
    const row = await db
      .from('ledger_entries')
      .where('user_id', creators[1].id)
      .where('kind', 'creator_share')
      .firstOrFail()
    const share = row.amount_cents
    balances.assertTextIncludes(`data-lifetime="${share}"`)
    balances.assertTextIncludes(`data-reversed="${share}"`)
    balances.assertTextIncludes('data-pending="0"')

    const late = await request()
    assert.match(String(late.flashMessages().error), /only a paid order can be refunded/)
    assert.lengthOf(await AuditLog.query().where('action', 'order.refund_requested'), 2)
  })

  test('without Stripe keys a refund is refused clearly and nothing is written', async ({
    client,
    assert,
    cleanup,
  }) => {
    withoutStripe(cleanup)
    const admin = await makeUser('admin')
    const { version } = await versionOf(1500, [5])
    const buyer = await makeUser('buyer')
    const order = await Order.create({
      buyerId: buyer.id,
      datasetVersionId: version.id,
      amountCents: 1500,
      currency: version.currency,
      platformFeeCents: 300,
      status: 'paid',
      paidAt: DateTime.now(),
      stripePaymentIntentId: 'pi_test_offline',
    })

    const response = await client
      .post(`/admin/orders/${order.id}/refund`)
      .form({ reason: 'Customer asked' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    assert.match(String(response.flashMessages().error), /Payments are not configured/)
    await order.refresh()
    assert.equal(order.status, 'paid')
    assert.lengthOf(await AuditLog.query().where('action', 'order.refund_requested'), 0)
  })

  test('creators, buyers and suspended admins cannot retry or refund, and nothing is written', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const { version, creators } = await versionOf(2500, [10])
    await readyCreator(fake, creators[0])
    fake.failNext = { ...REFUSAL }
    const { order } = await buy(client, fake, await makeUser('buyer'), version)
    const transfer = await Transfer.findByOrFail({ orderId: order.id })
    const suspendedAdmin = await makeUser('admin')
    suspendedAdmin.suspendedAt = DateTime.now()
    await suspendedAdmin.save()

    for (const user of [creators[0], await makeUser('buyer'), suspendedAdmin]) {
      const retry = await client
        .post(`/admin/transfers/${transfer.id}/retry`)
        .loginAs(user)
        .withCsrfToken()
        .redirects(0)
      const refund = await client
        .post(`/admin/orders/${order.id}/refund`)
        .form({ reason: 'Not mine to decide' })
        .loginAs(user)
        .withCsrfToken()
        .redirects(0)
      assert.equal(retry.status(), 302, user.email)
      assert.equal(refund.status(), 302, user.email)
      for (const url of ['/admin/payouts', '/admin/ledger', '/admin/ledger.csv']) {
        const page = await client.get(url).header('accept', 'text/html').loginAs(user).redirects(0)
        assert.include([302, 403], page.status(), `${user.email} → ${url}`)
      }
    }
    await transfer.refresh()
    assert.equal(transfer.status, 'pending')
    assert.lengthOf([...fake.refunds.values()], 0)
    assert.lengthOf(
      await AuditLog.query().whereIn('action', ['transfer.retried', 'order.refund_requested']),
      0
    )
  })
})
