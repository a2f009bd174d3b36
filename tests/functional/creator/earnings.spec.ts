import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import Payout from '#models/payout'
import Transfer from '#models/transfer'
import User from '#models/user'
import { EarningsService, chartOf, lastMonths } from '#app/commerce/earnings_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { readyCreator, useFakeStripe, versionOf } from '#tests/functional/commerce/helpers'
import { ClipFactory } from '#database/factories/clip_factory'
import { buy } from './helpers.js'

/** The text of the card whose `data-stat` is `label`, from the dashboard's HTML. */
function stat(html: string, label: string) {
  return html.match(new RegExp(`data-stat="${label}">([^<]*)<`))?.[1]?.trim()
}

/** A balanced group crediting (or, negative, debiting) a creator's payable on a given day. */
async function shareOn(creatorId: number, cents: number, at: DateTime, currency = 'USD') {
  const group = randomUUID()
  await db.table('ledger_entries').multiInsert([
    {
      group_id: group,
      kind: cents > 0 ? 'creator_share' : 'reversal',
      account: 'creator_payable',
      user_id: creatorId,
      amount_cents: cents,
      currency,
      created_at: at.toJSDate(),
    },
    {
      group_id: group,
      kind: cents > 0 ? 'sale' : 'reversal',
      account: 'cash',
      user_id: null,
      amount_cents: -cents,
      currency,
      created_at: at.toJSDate(),
    },
  ])
  await db.rawQuery('SET CONSTRAINTS ledger_entries_balanced IMMEDIATE')
  await db.rawQuery('SET CONSTRAINTS ledger_entries_balanced DEFERRED')
}

test.group('Creator: earnings', (group) => {
  group.each.setup(isolate)

  test('figures after sales, a refund before and one after the transfer, and payouts are exact to the cent', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const creator = await makeUser('creator')
    const partner = await makeUser('creator')
    // 2500: fee 500, 2000 shared 10 s : 30 s → 500 to the creator, 1500 to the partner.
    const team = await versionOf(2500, [10, 30], [creator, partner])
    // 999: fee 199.8 → 200 (half up), 799 to the creator alone.
    const solo = await versionOf(999, [7], [creator])
    const earnings = await app.container.make(EarningsService)
    const figures = async () => {
      const [balance] = await earnings.balances(await User.findOrFail(creator.id))
      return balance
    }

    const first = await buy(client, fake, await makeUser('buyer'), team.version)
    const second = await buy(client, fake, await makeUser('buyer'), team.version)
    await buy(client, fake, await makeUser('buyer'), solo.version)
    assert.deepInclude(await figures(), {
      currency: 'USD',
      earned: 1799,
      pending: 1799,
      transferred: 0,
      available: 0,
      paidOut: 0,
    })

    // Refunded while the share still waits: the share is reversed, the transfer never sent.
    const waitingRefunded = await fake.refund(second.charge.id)
    assert.equal(waitingRefunded.delivery.status, 200)
    assert.deepInclude(await figures(), { earned: 1299, pending: 1299, transferred: 0 })

    // The creator's account becomes ready: both waiting shares are transferred.
    const account = await readyCreator(fake, creator)
    await readyCreator(fake, partner)
    creator.merge({ stripeAccountStatus: 'pending' })
    await creator.save()
    const ready = await fake.setAccountReady(account.id)
    assert.equal(ready.delivery.status, 200)
    const sent = await Transfer.query().where('creator_id', creator.id).where('status', 'paid')
    assert.sameMembers(
      sent.map((transfer) => transfer.amountCents),
      [500, 799]
    )
    assert.deepInclude(await figures(), {
      earned: 1299,
      pending: 0,
      transferred: 1299,
      available: 1299,
    })

    // Refunded after its transfer: the transfer is reversed too.
    const sentRefunded = await fake.refund(first.charge.id)
    assert.equal(sentRefunded.delivery.status, 200)
    assert.deepInclude(await figures(), {
      earned: 799,
      pending: 0,
      transferred: 799,
      available: 799,
    })

    // Stripe's payouts to the bank (mirrored rows): one arrived, one on its way, one failed.
    for (const [amountCents, status] of [
      [300, 'paid'],
      [200, 'in_transit'],
      [150, 'failed'],
    ] as const) {
      await Payout.create({
        creatorId: creator.id,
        stripePayoutId: `po_${randomUUID()}`,
        amountCents,
        currency: 'USD',
        status,
        arrivalDate: DateTime.now().plus({ days: 2 }),
      })
    }
    assert.deepEqual(await figures(), {
      currency: 'USD',
      earned: 799,
      pending: 0,
      transferred: 799,
      available: 499,
      inTransit: 200,
      paidOut: 300,
    })

    const sales = await earnings.salesByVersion(creator)
    assert.deepEqual(
      sales.map(({ title, version, sales: count, refunds, grossCents, shareCents }) => ({
        title,
        version,
        count,
        refunds,
        grossCents,
        shareCents,
      })),
      [
        {
          title: solo.dataset.title,
          version: 1,
          count: 1,
          refunds: 0,
          grossCents: 999,
          shareCents: 799,
        },
        {
          title: team.dataset.title,
          version: 1,
          count: 0,
          refunds: 2,
          grossCents: 0,
          shareCents: 0,
        },
      ]
    )

    // The page shows the same figures, the chart and the history.
    const page = await client.get('/creator').loginAs(await User.findOrFail(creator.id))
    page.assertStatus(200)
    const html = page.text()
    assert.equal(stat(html, 'Lifetime earnings'), '$7.99')
    assert.equal(stat(html, 'Pending balance'), '$0.00')
    assert.equal(stat(html, 'Available balance'), '$4.99')
    assert.equal(stat(html, 'Paid out'), '$3.00')
    assert.include(html, '$2.00 of it on its way to your bank')
    assert.include(html, `data-month="${DateTime.utc().toFormat('yyyy-LL')}" data-cents="799"`)
    assert.include(html, 'data-chart-total="799"')
    assert.include(html, `data-sales-row="${solo.dataset.slug}@v1"`)
    assert.match(html, /data-transfer="\d+" data-status="reversed"/)
    assert.include(html, 'The order was refunded before this transfer was sent.')
    assert.match(html, /data-payout="\d+" data-status="in_transit"/)

    // The partner's figures are their own.
    const [partnerBalance] = await earnings.balances(await User.findOrFail(partner.id))
    assert.deepInclude(partnerBalance, { earned: 0, pending: 0, transferred: 0 })
  }).timeout(60_000)

  test('the monthly chart covers the last twelve months and shows refunds below zero', async ({
    assert,
  }) => {
    const creator = await makeUser('creator')
    const now = DateTime.utc()
    await shareOn(creator.id, 1234, now.minus({ months: 3 }))
    await shareOn(creator.id, 5000, now.minus({ months: 13 }))
    await shareOn(creator.id, 2000, now)
    await shareOn(creator.id, -2500, now)
    const earnings = await app.container.make(EarningsService)

    const months = await earnings.monthly(creator, 'USD', now)
    assert.lengthOf(months, 12)
    assert.equal(months[11].month, now.toFormat('yyyy-LL'))
    assert.equal(months[0].month, now.minus({ months: 11 }).toFormat('yyyy-LL'))
    assert.deepEqual(
      months.filter((month) => month.cents !== 0).map((month) => [month.month, month.cents]),
      [
        [now.minus({ months: 3 }).toFormat('yyyy-LL'), 1234],
        [now.toFormat('yyyy-LL'), -500],
      ]
    )
    const [balance] = await earnings.balances(creator)
    assert.equal(balance.earned, 5734, 'lifetime includes months older than the chart')

    const chart = chartOf(months, 'USD')
    assert.equal(chart.total, 734)
    const up = chart.bars[8]
    const down = chart.bars[11]
    assert.isAbove(up.height, 0)
    assert.equal(up.y + up.height, chart.plot.zeroY, 'a positive bar stands on the zero line')
    assert.equal(down.y, chart.plot.zeroY, 'a negative bar hangs from it')
    assert.isTrue(chart.bars.filter((bar) => bar.cents === 0).every((bar) => bar.height === 0))
    assert.deepEqual(
      lastMonths(DateTime.utc(2026, 1, 15))
        .map((month) => month.toFormat('yyyy-LL'))
        .slice(0, 2),
      ['2025-02', '2025-03']
    )
  })

  test('a creator with no sales sees zero figures, an empty chart and empty histories', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const page = await client.get('/creator').loginAs(creator)
    page.assertStatus(200)
    const html = page.text()
    for (const label of ['Lifetime earnings', 'Pending balance', 'Available balance', 'Paid out'])
      assert.equal(stat(html, label), '$0.00', label)
    assert.include(html, 'No sales in the last twelve months yet.')
    assert.include(html, 'data-sales-empty')
    assert.include(html, 'data-transfers-empty')
    assert.include(html, 'data-payouts-empty')
    assert.include(html, 'No clips yet')
  })
  test('the clip library shows counts by status and each recent clip with its status, reason and consent record', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const rejected = await ClipFactory.apply('rejected')
      .merge({ userId: creator.id, title: 'Serve from the baseline' })
      .create()
    const approved = await ClipFactory.apply('approved')
      .merge({ userId: creator.id, title: 'Spike at the net' })
      .create()
    await ClipFactory.apply('approved').merge({ userId: creator.id }).create()
    const someoneElse = await makeUser('creator')
    await ClipFactory.merge({ userId: someoneElse.id, title: 'Someone else' }).create()

    const page = await client.get('/creator').loginAs(creator)
    page.assertStatus(200)
    const html = page.text()
    assert.match(html, /data-clip-count="approved">approved · 2</)
    assert.match(html, /data-clip-count="rejected">rejected · 1</)
    assert.include(html, `data-recent-clip="${rejected.id}"`)
    assert.include(html, 'Rejected: A face remains visible in the anonymized video.')
    assert.include(html, `href="/consents/${rejected.consentRecordId}"`)
    assert.include(html, `href="/clips/${approved.id}"`)
    assert.notInclude(html, 'Someone else')
    assert.equal(stat(html, 'Clips'), '3')
    assert.equal(stat(html, 'Approved'), '2')
  })
  test("amounts in another currency are never added to the instance currency's", async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    await shareOn(creator.id, 1500, DateTime.utc(), 'EUR')
    const earnings = await app.container.make(EarningsService)
    // Only euros: they lead, and the instance's dollars are not invented.
    const eurosOnly = await earnings.balances(creator)
    assert.deepEqual(
      eurosOnly.map((balance) => [balance.currency, balance.earned]),
      [['EUR', 1500]]
    )

    await shareOn(creator.id, 700, DateTime.utc(), 'USD')
    const bothCurrencies = await earnings.balances(creator)
    assert.deepEqual(
      bothCurrencies.map((balance) => [balance.currency, balance.earned]),
      [
        ['USD', 700],
        ['EUR', 1500],
      ]
    )
    const response = await client.get('/creator').loginAs(creator)
    const html = response.text()
    assert.equal(stat(html, 'Lifetime earnings'), '$7.00')
    assert.include(html, 'Also €15.00.')
    assert.include(html, 'data-chart-total="700"')
  })
})
