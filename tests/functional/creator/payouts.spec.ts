import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Payout from '#models/payout'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { readyCreator, useFakeStripe } from '#tests/functional/commerce/helpers'

test.group('Creator: payouts mirrored from Stripe', (group) => {
  group.each.setup(isolate)

  test("a connected account's payout events keep one row per payout, never moved back by a late event", async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const creator = await makeUser('creator')
    const account = await readyCreator(fake, creator)
    const arrival = Math.floor(DateTime.utc(2026, 3, 14, 12).toSeconds())

    const created = await fake.connectedPayout(
      account.id,
      { amount: 4321, status: 'pending', arrival_date: arrival },
      'payout.created'
    )
    assert.equal(created.delivery.status, 200, created.delivery.body)
    const row = await Payout.findByOrFail('stripe_payout_id', created.payout.id)
    assert.deepInclude(row.serialize(), {
      creatorId: creator.id,
      amountCents: 4321,
      currency: 'USD',
      status: 'pending',
    })
    assert.equal(row.arrivalDate?.toISODate(), '2026-03-14')

    const paid = await fake.connectedPayout(
      account.id,
      { id: created.payout.id, amount: 4321, status: 'paid', arrival_date: arrival },
      'payout.paid'
    )
    assert.equal(paid.delivery.status, 200)
    await row.refresh()
    assert.equal(row.status, 'paid')

    // payout.updated (in transit) delivered late: the row stays paid.
    const late = await fake.connectedPayout(account.id, {
      id: created.payout.id,
      amount: 4321,
      status: 'in_transit',
      arrival_date: arrival,
    })
    assert.include(late.delivery.body, 'already paid')
    await row.refresh()
    assert.equal(row.status, 'paid')

    // The bank sent it back.
    await fake.connectedPayout(
      account.id,
      { id: created.payout.id, amount: 4321, status: 'failed', arrival_date: arrival },
      'payout.failed'
    )
    await row.refresh()
    assert.equal(row.status, 'failed')
    assert.lengthOf(await Payout.all(), 1)

    const page = await client.get('/creator').loginAs(creator)
    assert.match(page.text(), new RegExp(`data-payout="${row.id}" data-status="failed"`))
  })

  test("the platform's own payouts and unknown accounts' are ignored", async ({
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const stranger = fake.readyAccount('nobody@athera.test')
    const unknown = await fake.connectedPayout(
      stranger.id,
      { amount: 1000, status: 'paid' },
      'payout.paid'
    )
    assert.equal(unknown.delivery.status, 200)
    assert.include(unknown.delivery.body, 'ignored')
    const platform = await fake.deliver(
      fake.event('payout.paid', {
        id: 'po_platform',
        object: 'payout',
        amount: 99_000,
        currency: 'usd',
        status: 'paid',
        arrival_date: null,
      })
    )
    assert.equal(platform.status, 200)
    assert.include(platform.body, 'ignored')
    assert.lengthOf(await Payout.all(), 0)
  })
})
