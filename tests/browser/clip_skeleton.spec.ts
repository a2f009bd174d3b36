/// <reference lib="dom" />
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { Browser } from 'playwright-core'
import { ClipProcessingService } from '#app/processing/clip_processing_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { uploadedClip } from '#tests/helpers/clips'
import { appUrl, launchBrowser, mintPixels, logIn, screenshot } from '#tests/helpers/browser'
import { shortClip, sharedMediaAvailable, SKIP_WITHOUT_MEDIA } from '#tests/helpers/media'

test.group('Browser: a processed clip with its skeleton', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await launchBrowser()
    return () => browser.close()
  })
  group.each.setup(isolate)

  test('the clip page draws the pose skeleton over the anonymized video and hides it on request', async ({
    assert,
  }) => {
    const creator = await makeUser('creator')
    const { clip } = await uploadedClip(creator, shortClip())
    const processing = await app.container.make(ClipProcessingService)
    await processing.process(clip.id, {
      jobId: 'browser',
      attempt: 1,
      finalAttempt: true,
      reportProgress: async () => {},
    })

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await logIn(page, creator)
    await page.goto(appUrl(`/clips/${clip.id}`))

    // Drawn once keypoints.json has arrived: two people's limbs in the accent colour.
    await page.waitForFunction(mintPixels, undefined, { timeout: 20_000 })
    const drawn = await page.evaluate(mintPixels)
    assert.isAbove(drawn, 500, 'the skeleton is drawn')
    await screenshot(page, 'clip-skeleton')

    await page.getByLabel('Show pose skeleton').uncheck()
    assert.equal(await page.evaluate(mintPixels), 0, 'hidden on request')
    assert.deepEqual(errors, [])
    await page.close()
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(180_000)
})
