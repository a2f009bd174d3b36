/// <reference lib="dom" />
import { test } from '@japa/runner'
import type { Browser } from 'playwright-core'
import AuditLog from '#models/audit_log'
import Transfer from '#models/transfer'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { useFakeStripe } from '#tests/helpers/stripe'
import { readyCreator, versionOf } from '#tests/functional/commerce/helpers'
import { ConsentRecordFactory } from '#database/factories/consent_record_factory'
import { appUrl, launchBrowser, logIn, screenshot } from '#tests/helpers/browser'
import { buy } from '#tests/functional/admin_ledger/helpers'

test.group('Browser: an admin runs payouts and reads the legal log', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await launchBrowser()
    return () => browser.close()
  })
  group.each.setup(isolate)

  test('retries a refused transfer, filters the ledger, exports it and searches the consent log', async ({
    assert,
    client,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const admin = await makeUser('admin')
    const { version, creators } = await versionOf(2500, [12, 8])
    await readyCreator(fake, creators[0])
    fake.failNext = {
      status: 400,
      type: 'invalid_request_error',
      message: 'Insufficient funds in the platform balance.',
      path: /^\/v1\/transfers$/,
    }
    const { order } = await buy(client, fake, await makeUser('buyer'), version)
    const refused = await Transfer.findByOrFail({ orderId: order.id, creatorId: creators[0].id })
    await ConsentRecordFactory.apply('minor').merge({ userId: creators[1].id }).create()

    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await logIn(page, admin)

    await page.goto(appUrl('/admin/payouts'))
    const row = page.locator(`[data-transfer="${refused.id}"]`)
    assert.equal(await row.getAttribute('data-status'), 'failed')
    assert.include(await row.innerText(), 'Insufficient funds')
    await screenshot(page, 'admin-payouts-refused-transfer')
    await row.getByRole('button', { name: 'Retry' }).click()
    await page.waitForSelector('[role="status"]')
    assert.include(await page.locator('[role="status"]').innerText(), 'was sent')
    assert.equal(
      await page.locator(`[data-transfer="${refused.id}"]`).getAttribute('data-status'),
      'paid'
    )
    assert.equal(
      await page
        .locator(`[data-balance="${creators[0].id}"] [data-pending]`)
        .getAttribute('data-pending'),
      '0'
    )
    await screenshot(page, 'admin-payouts-after-retry')

    await page.goto(appUrl('/admin/ledger'))
    await page.getByLabel('Creator (id or e-mail)').fill(creators[0].email)
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL(/creator=/)
    assert.equal(await page.locator('[data-entry]').count(), 2, 'the share and the transfer')
    await screenshot(page, 'admin-ledger-filtered')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByText('Export these rows (CSV)').click(),
    ])
    const stream = await download.createReadStream()
    const csv = await stream.toArray()
    const lines = Buffer.concat(csv).toString('utf8').trim().split('\r\n')
    assert.lengthOf(lines, 3, 'header and the two filtered rows')

    await page.goto(appUrl('/admin/consent-log'))
    await page.getByLabel('Person (e-mail or name)').fill(creators[1].email)
    await page.getByRole('button', { name: 'Search' }).click()
    await page.waitForURL(/user=/)
    assert.include(await page.locator('[data-consent-log]').innerText(), 'minor')
    await screenshot(page, 'admin-consent-log')

    assert.lengthOf(await AuditLog.query().where('action', 'transfer.retried'), 1)
    assert.deepEqual(errors, [])
  })
})
