/// <reference lib="dom" />
import { test } from '@japa/runner'
import type { Browser } from 'playwright-core'
import { isolate } from '#tests/helpers/reset'
import { demoMediaFolder, seedDemo } from '#tests/helpers/demo'
import { appUrl, launchBrowser, mintPixels, screenshot } from '#tests/helpers/browser'
import { shortClip, sharedMediaAvailable, SKIP_WITHOUT_MEDIA } from '#tests/helpers/media'

const FOOTBALL = '[data-dataset-card="football-training-drills"]'
const STARTER = '[data-dataset-card="multi-sport-movement-starter-pack"]'

test.group('Browser: the demo catalog seeded with media', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await launchBrowser()
    return () => browser.close()
  })
  group.each.setup(isolate)

  test('a card’s preview plays on hover, the dataset page draws the skeleton over its sample, a card without media says so', async ({
    assert,
  }) => {
    const media = await demoMediaFolder([shortClip()])
    try {
      await seedDemo(media.dir)
    } finally {
      await media.cleanup()
    }

    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(appUrl('/catalog'))
    await page.locator(FOOTBALL).waitFor()
    await page.waitForFunction((card) => {
      const img = document.querySelector<HTMLImageElement>(`${card} img`)
      return !!img && img.complete && img.naturalWidth > 0
    }, FOOTBALL)

    // Hovering plays the muted preview (resources/js/catalog.js, loaded after the page): frames decode and time moves on.
    await page.waitForFunction(() => document.documentElement.dataset.catalogMounted === 'true')
    await page.locator(`${FOOTBALL} [data-preview-card]`).hover()
    const preview = page.locator(`${FOOTBALL} [data-preview-video]`)
    await page.waitForFunction(
      (card) => {
        const video = document.querySelector<HTMLVideoElement>(`${card} [data-preview-video]`)!
        return !video.paused && video.readyState >= 2 && video.currentTime > 0.2
      },
      FOOTBALL,
      { timeout: 30_000 }
    )
    const first = await preview.evaluate((video: HTMLVideoElement) => video.currentTime)
    await page.waitForFunction(
      ([card, from]) =>
        document.querySelector<HTMLVideoElement>(`${card} [data-preview-video]`)!.currentTime >
        from + 0.2,
      [FOOTBALL, first] as const
    )
    assert.isAbove(await preview.evaluate((video: HTMLVideoElement) => video.videoWidth), 0)
    await screenshot(page, 'demo-catalog')

    // One video in the folder: the starter pack's cover has none, and its card says so.
    assert.equal(await page.locator(`${STARTER} img, ${STARTER} video`).count(), 0)
    assert.include(await page.locator(STARTER).innerText(), 'No media yet')

    await page.locator(`${FOOTBALL} h3 a`).click()
    await page.waitForURL('**/catalog/football-training-drills')
    await page.waitForFunction(mintPixels, undefined, { timeout: 20_000 })
    assert.isAbove(await page.evaluate(mintPixels), 300, 'the skeleton is drawn over the sample')
    const sample = page.locator('[data-testid="sample-player"] video')
    await sample.evaluate((video: HTMLVideoElement) => video.play())
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLVideoElement>('[data-testid="sample-player"] video')!
          .currentTime > 0.3
    )
    await screenshot(page, 'demo-dataset-page')
    assert.deepEqual(errors, [], errors.join('\n'))
    await page.close()
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(240_000)
})
