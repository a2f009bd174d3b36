/// <reference lib="dom" />
import { test } from '@japa/runner'
import type { Browser } from 'playwright-core'
import db from '@adonisjs/lucid/services/db'
import Download from '#models/download'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { listedDataset } from '#tests/helpers/catalog'
import { licenceFor, publishedVersion, sha256 } from '#tests/helpers/exports'
import { appUrl, launchBrowser, logIn, screenshot } from '#tests/helpers/browser'

/** A call to the REST API from this (Node) side, as a buyer's script would make it. */
async function api(path: string, token: string) {
  const response = await fetch(appUrl(path), {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  })
  return { status: response.status, body: (await response.json()) as any }
}

/**
 * Journey 3's last step (ARCHITECTURE §2): a buyer creates an API token on the page, copies
 * the secret shown once, and their own script calls the REST API with it; revoking it on the
 * page shuts the script out.
 */
test.group('Browser: a buyer creates an API token and calls the API with it', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await launchBrowser()
    return () => browser.close()
  })
  group.each.setup(isolate)

  test('dashboard → tokens page → create → secret shown once → /api/v1 with it → revoke', async ({
    assert,
  }) => {
    const buyer = await makeUser('buyer', { companyName: 'Northwind Robotics' })
    const listed = await listedDataset(await makeUser('creator'), {
      title: 'Goalkeeper diving saves',
      sport: 'football',
    })
    const published = await publishedVersion({ clips: 1, videoBytes: 20_000 })
    const licence = await licenceFor(buyer, published.version)

    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await logIn(page, buyer)

    await page.getByTestId('manage-tokens').click()
    await page.waitForURL('**/account/tokens')
    await page.getByLabel('Name').fill('Training pipeline')
    for (const scope of ['catalog:read', 'licences:read', 'downloads:read']) {
      await page.locator(`input[name="scopes[]"][value="${scope}"]`).check()
    }
    await page.getByLabel('Expires after').selectOption('90')
    await page.getByRole('button', { name: 'Create token' }).click()
    await page.getByTestId('token-secret').waitFor()
    const secret = await page.getByTestId('token-secret').inputValue()
    assert.match(secret, /^ath_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    await screenshot(page, 'api-token-created')

    // The buyer's script, with the secret read off the page.
    const licences = await api('/api/v1/licences', secret)
    assert.equal(licences.status, 200)
    assert.deepEqual(
      licences.body.data.map((item: any) => item.id),
      [licence.id]
    )
    assert.equal(licences.body.data[0].status, 'live')
    const catalog = await api('/api/v1/catalog?q=goalkeeper', secret)
    assert.equal(catalog.status, 200)
    assert.deepEqual(
      catalog.body.data.map((item: any) => item.slug),
      [listed.slug]
    )
    const manifest = await api(licences.body.data[0].links.manifest, secret)
    assert.equal(manifest.status, 200)
    const video = manifest.body.files.find((file: any) => file.kind === 'video')
    const response = await fetch(video.url)
    const bytes = Buffer.from(await response.arrayBuffer())
    assert.equal(sha256(bytes), sha256(published.contents.get(video.path)!))
    assert.equal(
      await Download.query()
        .where('licence_id', licence.id)
        .where('kind', 'api')
        .count('* as n')
        .first()
        .then((row) => Number(row!.$extras.n)),
      1
    )

    // Back on the list: the token shows its last use, never its secret.
    await page.getByRole('link', { name: 'I have copied it' }).click()
    await page.waitForURL('**/account/tokens')
    const row = page.locator('[data-token-id]').filter({ hasText: 'Training pipeline' })
    const text = await row.locator('[data-token-last-used]').textContent()
    assert.notEqual(text?.trim(), 'Never')
    assert.notInclude(await page.content(), secret)

    await screenshot(page, 'api-tokens-list')

    // The dashboard: the licence with its price, the API download, the token summary.
    await page.getByRole('link', { name: 'Dashboard' }).click()
    await page.waitForURL('**/buyer')
    assert.equal(await page.locator(`[data-history-licence="${licence.id}"]`).count(), 1)
    assert.include(await page.getByTestId('recent-downloads').textContent(), 'Manifest (API)')
    await screenshot(page, 'buyer-dashboard')

    await page.goto(appUrl('/account/tokens'))
    await row.getByRole('button', { name: 'Revoke Training pipeline' }).click()
    await page.waitForURL('**/account/tokens')
    assert.equal(await page.locator('[data-token-id]').count(), 0)
    const refused = await api('/api/v1/licences', secret)
    assert.equal(refused.status, 401)
    assert.equal(refused.body.error.code, 'invalid_token')
    assert.lengthOf(await db.from('auth_access_tokens').where('tokenable_id', buyer.id), 0)
    assert.deepEqual(errors, [], errors.join('\n'))
    await page.close()
  }).timeout(120_000)
})
