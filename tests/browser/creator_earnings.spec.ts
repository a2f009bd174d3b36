/// <reference lib="dom" />
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import type { Browser } from 'playwright-core'
import Payout from '#models/payout'
import Transfer from '#models/transfer'
import type User from '#models/user'
import type DatasetVersion from '#models/dataset_version'
import { CheckoutService } from '#app/commerce/checkout_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import type { FakeStripe } from '#tests/helpers/fake_stripe'
import { useFakeStripe } from '#tests/helpers/stripe'
import { readyCreator, versionOf } from '#tests/functional/commerce/helpers'
import { launchBrowser, logIn, screenshot } from '#tests/helpers/browser'
import { currentLicenceText } from '#tests/helpers/licence_texts'

/**
 * A sale the way production makes one: the checkout service opens the (fake) Stripe Checkout,
 * the buyer pays there, and the signed `checkout.session.completed` reaches the webhook route.
 */
async function sell(fake: FakeStripe, version: DatasetVersion) {
  const checkout = await app.container.make(CheckoutService)
  const started = await checkout.start(
    await makeUser('buyer'),
    version,
    await currentLicenceText(version.licenceType)
  )
  if (!started.ok) throw new Error(`checkout refused: ${started.code}`)
  const paid = await fake.pay(started.url.split('/pay/')[1])
  if (paid.delivery.status !== 200)
    throw new Error(`webhook: ${paid.delivery.status} ${paid.delivery.body}`)
  return paid
}

/** Stripe's payouts to the creator's bank, as the payouts table mirrors them. */
async function payout(
  creator: User,
  amountCents: number,
  status: Payout['status'],
  daysAgo: number
) {
  await Payout.create({
    creatorId: creator.id,
    stripePayoutId: `po_${randomUUID().replaceAll('-', '')}`,
    amountCents,
    currency: 'USD',
    status,
    arrivalDate: DateTime.now().minus({ days: daysAgo - 2 }),
    createdAt: DateTime.now().minus({ days: daysAgo }),
  })
}

test.group('Browser: a creator reads their earnings', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await launchBrowser()
    return () => browser.close()
  })
  group.each.setup(isolate)

  test('after sales, a refund, a refused transfer and payouts, the dashboard shows exact figures and the chart', async ({
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const creator = await makeUser('creator', { fullName: 'Maya Okafor' })
    await readyCreator(fake, creator)
    // $25.00 → $5.00 fee, $20.00 to the creator; $9.99 → $2.00 fee (half up), $7.99.
    const sprint = await versionOf(2500, [12], [creator])
    const starts = await versionOf(999, [7], [creator])

    await sell(fake, sprint.version)
    const refunded = await sell(fake, sprint.version)
    const refunding = await fake.refund(refunded.charge.id)
    assert.equal(refunding.delivery.status, 200)
    // Stripe refuses this one transfer: the share stays a pending balance, with the reason.
    fake.failNext = {
      status: 400,
      type: 'invalid_request_error',
      message: 'Insufficient funds in the platform balance.',
      path: /\/v1\/transfers$/,
    }
    await sell(fake, starts.version)
    const waiting = await Transfer.query()
      .where('creator_id', creator.id)
      .where('status', 'pending')
      .firstOrFail()
    assert.equal(waiting.amountCents, 799)
    await payout(creator, 1200, 'paid', 3)
    await payout(creator, 300, 'in_transit', 0)

    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await logIn(page, creator)
    assert.equal(new URL(page.url()).pathname, '/creator')

    const card = (label: string) => page.locator(`[data-stat="${label}"]`).innerText()
    assert.equal(await card('Lifetime earnings'), '$27.99')
    assert.equal(await card('Pending balance'), '$7.99')
    assert.equal(await card('Available balance'), '$8.00')
    assert.equal(await card('Paid out'), '$12.00')
    assert.include(
      await page.locator('[data-earnings-cards]').innerText(),
      '$3.00 of it on its way to your bank'
    )

    // The chart: an SVG with a title, this month's bar, its tooltip and the same number in the table.
    const chart = page.getByRole('img', { name: 'Monthly earnings, last 12 months' })
    await chart.waitFor()
    const month = DateTime.utc().toFormat('yyyy-LL')
    const bar = page.locator(`[data-month="${month}"]`)
    assert.equal(await bar.getAttribute('data-cents'), '2799')
    assert.isAbove(
      Number(await bar.locator('[data-bar]').getAttribute('height')),
      100,
      'the tallest bar fills most of the plot'
    )
    assert.equal(
      await bar.locator('title').textContent(),
      `${DateTime.utc().toFormat('LLLL yyyy')}: $27.99`
    )
    assert.equal(await page.locator('[data-earnings-chart] [data-bar]').count(), 1)
    await screenshot(page, 'creator-earnings')
    await page.getByText('The numbers as a table').click()
    assert.include(await page.locator('[data-chart-table]').innerText(), '$27.99')

    const sales = page.locator('[data-sales]')
    assert.include(
      await sales.locator(`[data-sales-row="${sprint.dataset.slug}@v1"]`).innerText(),
      '1 refunded'
    )
    assert.equal(
      await sales
        .locator(`[data-sales-row="${sprint.dataset.slug}@v1"] [data-sales-share]`)
        .innerText(),
      '$20.00'
    )
    assert.equal(
      await sales
        .locator(`[data-sales-row="${starts.dataset.slug}@v1"] [data-sales-gross]`)
        .innerText(),
      '$9.99'
    )
    assert.include(
      await page.locator('[data-transfers] [data-failure-reason]').innerText(),
      'Insufficient funds in the platform balance.'
    )
    assert.equal(await page.locator('[data-transfers] [data-status="reversed"]').count(), 1)
    assert.equal(await page.locator('[data-payouts] tbody tr').count(), 2)
    assert.equal(await page.locator('[data-connect-badge]').innerText(), 'Ready')

    assert.deepEqual(errors, [], errors.join('\n'))
    await page.close()
  }).timeout(120_000)
})
