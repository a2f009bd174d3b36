/// <reference lib="dom" />
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { Browser } from 'playwright-core'
import Clip from '#models/clip'
import Download from '#models/download'
import Licence from '#models/licence'
import LedgerEntry from '#models/ledger_entry'
import { ClipProcessingService } from '#app/processing/clip_processing_service'
import { CatalogService } from '#app/catalog/catalog_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { uploadedClip } from '#tests/helpers/clips'
import { draftDataset, publishWith } from '#tests/helpers/catalog'
import { checkSums, sha256, unzip } from '#tests/helpers/exports'
import { useFakeStripe } from '#tests/helpers/stripe'
import { appUrl, launchBrowser, logIn, screenshot } from '#tests/helpers/browser'
import { shortClip, sharedMediaAvailable, SKIP_WITHOUT_MEDIA } from '#tests/helpers/media'

/**
 * Journey 3 of ARCHITECTURE §2 end to end, in the browser: a buyer filters the catalog, opens
 * a dataset, pays on the (fake) Stripe Checkout page, lands on the licence once the signed
 * webhook has issued it, and downloads the ZIP, whose files all match its SHA256SUMS.
 */
test.group('Browser: a buyer finds, buys and downloads a dataset', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await launchBrowser()
    return () => browser.close()
  })
  group.each.setup(isolate)

  test('filter → dataset → Stripe Checkout → licence → ZIP checked against SHA256SUMS', async ({
    assert,
    cleanup,
  }) => {
    const stripe = await useFakeStripe(cleanup)
    const creator = await makeUser('creator')
    const { clip } = await uploadedClip(creator, shortClip(), {
      title: 'Two players, half court',
      sport: 'basketball',
      activity: 'dribbling',
    })
    const processing = await app.container.make(ClipProcessingService)
    await processing.process(clip.id, {
      jobId: 'browser',
      attempt: 1,
      finalAttempt: true,
      reportProgress: async () => {},
    })
    await Clip.query().where('id', clip.id).update({ status: 'approved', reviewed_at: new Date() })
    const approved = await Clip.findOrFail(clip.id)
    const wanted = await draftDataset(creator, {
      title: 'Half-court dribbling, commercial set',
      licenceType: 'commercial',
      priceCents: 4900,
      sport: 'basketball',
      description: 'Anonymized half-court footage with pose keypoints.',
      tags: ['dribbling'],
    })
    await publishWith(wanted, creator, [approved])
    const other = await draftDataset(creator, {
      title: 'Dribbling for research',
      licenceType: 'research',
      priceCents: 1900,
      sport: 'basketball',
      description: 'The same footage under a research licence.',
      tags: ['dribbling'],
    })
    await publishWith(other, creator, [approved])
    CatalogService.clearCache()

    const buyer = await makeUser('buyer')
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await logIn(page, buyer)

    await page.goto(appUrl('/catalog'))
    await page.locator('[data-dataset-card]').first().waitFor()
    assert.equal(await page.locator('[data-dataset-card]').count(), 2)
    await page.getByLabel('Licence').selectOption('commercial')
    await page.waitForURL(/licence=commercial/)
    await page.waitForFunction(() => document.querySelectorAll('[data-dataset-card]').length === 1)
    await page.locator(`[data-dataset-card="${wanted.slug}"] h3 a`).click()
    await page.waitForURL(`**/catalog/${wanted.slug}`)

    // Checkout: the buyer reads the licence text and agrees, the order is written, the buyer
    // pays on the hosted page, Stripe calls back.
    const shown = await page.getByTestId('licence-text').textContent()
    await page.getByLabel(/I agree to these licence terms/).check()
    await page.getByRole('button', { name: 'Buy dataset — $49.00' }).click()
    await page.waitForURL(new RegExp(`^${stripe.settings.apiBase}/pay/`))
    await page.getByRole('button', { name: 'Pay' }).click()
    await page.waitForURL(/\/checkout\/success/)
    // The webhook is delivered before the redirect; the page links the issued licence.
    await page.getByRole('link', { name: 'Open your licence' }).click()
    await page.waitForURL(/\/licences\/[0-9a-f-]{36}$/)
    await screenshot(page, 'licence-page')

    const licence = await Licence.query().where('buyer_id', buyer.id).firstOrFail()
    assert.equal(licence.source, 'purchase')
    assert.isNull(licence.revokedAt)
    assert.equal(licence.termsSha256, sha256(shown!), 'the licence cites the text the page showed')
    const ledger = await LedgerEntry.query().where('order_id', licence.orderId!)
    assert.equal(
      ledger.reduce((sum, entry) => sum + entry.amountCents, 0),
      0,
      'the ledger balances'
    )

    // The ZIP, fetched with the page's session, checks against its own SHA256SUMS.
    const href = await page.getByTestId('download-zip').getAttribute('href')
    const response = await page.request.get(appUrl(href!))
    assert.equal(response.status(), 200)
    assert.equal(response.headers()['content-type'], 'application/zip')
    const { out, files } = await unzip(await response.body())
    const sums = await checkSums(out)
    assert.notInclude(sums, 'FAILED')
    const listed = files
      .get('SHA256SUMS')!
      .toString()
      .trim()
      .split('\n')
      .map((line) => line.replace(/^[0-9a-f]{64} +\*?/, ''))
    assert.sameMembers(
      listed,
      [...files.keys()].filter((name) => name !== 'SHA256SUMS')
    )
    assert.include([...files.keys()], `videos/${clip.id}.mp4`)
    assert.include([...files.keys()], `keypoints/${clip.id}.json`)
    assert.includeMembers(
      [...files.keys()],
      ['metadata.jsonl', 'README.md', 'croissant.json', 'LICENCE.md']
    )
    assert.equal(
      files.get('LICENCE.md')!.toString('utf8'),
      shown,
      'LICENCE.md is the text the buyer agreed to'
    )
    assert.equal(
      await Download.query()
        .where('licence_id', licence.id)
        .count('* as n')
        .first()
        .then((row) => Number(row!.$extras.n)),
      1
    )
    assert.deepEqual(errors, [], errors.join('\n'))
    await page.close()
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(240_000)
})
