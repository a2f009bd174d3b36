/// <reference lib="dom" />
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { Browser } from 'playwright-core'
import Clip from '#models/clip'
import { ClipProcessingService } from '#app/processing/clip_processing_service'
import { CatalogService } from '#app/catalog/catalog_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { uploadedClip } from '#tests/helpers/clips'
import { draftDataset, publishWith } from '#tests/helpers/catalog'
import { appUrl, launchBrowser, mintPixels, screenshot } from '#tests/helpers/browser'
import { shortClip, sharedMediaAvailable, SKIP_WITHOUT_MEDIA } from '#tests/helpers/media'

test.group('Browser: the catalog and a dataset page', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await launchBrowser()
    return () => browser.close()
  })
  group.each.setup(isolate)

  test('a visitor filters the catalog, goes back, opens a dataset and sees the skeleton over its preview', async ({
    assert,
  }) => {
    const creator = await makeUser('creator')
    const { clip } = await uploadedClip(creator, shortClip(), {
      title: 'Two players, half court',
      sport: 'basketball',
      activity: 'dribbling',
      skillLevel: 'advanced',
      cameraAngle: 'side',
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

    // Four listings of the same processed clip, with different licences and prices.
    const specs = [
      {
        title: 'Half-court dribbling, research set',
        licenceType: 'research' as const,
        priceCents: 0,
      },
      {
        title: 'Half-court dribbling, commercial set',
        licenceType: 'commercial' as const,
        priceCents: 4900,
      },
      { title: 'Two-player drills', licenceType: 'research' as const, priceCents: 1900 },
      {
        title: 'Basketball movement starter',
        licenceType: 'commercial' as const,
        priceCents: 9900,
      },
    ]
    const datasets = []
    for (const spec of specs) {
      const dataset = await draftDataset(creator, {
        ...spec,
        sport: 'basketball',
        description: 'Anonymized half-court footage with 33-point pose keypoints.',
        tags: ['dribbling'],
      })
      await publishWith(dataset, creator, [approved])
      datasets.push(dataset)
    }
    CatalogService.clearCache()

    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(appUrl('/catalog'))
    await page.locator('[data-dataset-card]').first().waitFor()
    assert.equal(await page.locator('[data-dataset-card]').count(), 4)
    // Thumbnails come through presigned URLs of the previews bucket.
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLImageElement>('[data-dataset-card] img')).every(
        (img) => img.complete && img.naturalWidth > 0
      )
    )
    await page.locator('[data-dataset-card]').nth(1).hover()
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLVideoElement>('[data-preview-video]')).some(
        (video) => !video.paused
      )
    )
    // A still frame for the screenshot (the hovered card keeps its overlay).
    await page.evaluate(() => document.querySelectorAll('video').forEach((video) => video.pause()))
    await screenshot(page, 'catalog-grid')

    // Filtering swaps the results in place and keeps the state in the URL.
    await page.getByLabel('Licence').selectOption('commercial')
    await page.waitForURL(/licence=commercial/)
    await page.waitForFunction(() => document.querySelectorAll('[data-dataset-card]').length === 2)
    const commercial = await page
      .locator('[data-dataset-card]')
      .evaluateAll((cards) => cards.map((card) => card.getAttribute('data-dataset-card')))
    assert.sameMembers(commercial, [datasets[1].slug, datasets[3].slug])
    await page.getByLabel('Search').fill('starter')
    await page.getByLabel('Search').press('Enter')
    await page.waitForURL(/q=starter/)
    await page.waitForFunction(() => document.querySelectorAll('[data-dataset-card]').length === 1)

    // Back restores the previous filter; a shared link opens the same state.
    await page.goBack()
    await page.waitForFunction(() => document.querySelectorAll('[data-dataset-card]').length === 2)
    const shared = await browser.newPage()
    await shared.goto(appUrl('/catalog?licence=commercial&q=starter'))
    assert.equal(await shared.locator('[data-dataset-card]').count(), 1)
    await shared.close()

    await page.locator(`[data-dataset-card="${datasets[1].slug}"] h3 a`).click()
    await page.waitForURL(`**/catalog/${datasets[1].slug}`)
    await page.waitForFunction(mintPixels, undefined, { timeout: 20_000 })
    assert.isAbove(await page.evaluate(mintPixels), 300, 'the skeleton is drawn over the preview')
    assert.include(
      await page.locator('[data-sample-metadata]').innerText(),
      `"clipId": "${clip.id}"`
    )
    assert.include(await page.locator('[data-buy-action]').innerText(), 'Buy dataset — $49.00')
    await screenshot(page, 'dataset-page')

    await page.getByLabel('Show pose skeleton').uncheck()
    assert.equal(await page.evaluate(mintPixels), 0, 'hidden on request')
    assert.deepEqual(errors, [], errors.join('\n'))
    await page.close()
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(240_000)
})
