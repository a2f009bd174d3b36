/// <reference lib="dom" />
import { test } from '@japa/runner'
import { basename } from 'node:path'
import type { Browser } from 'playwright-core'
import Clip from '#models/clip'
import { ConsentTextFactory } from '#database/factories/consent_text_factory'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { appUrl, launchBrowser, logIn, screenshot } from '#tests/helpers/browser'
import { sharedClips, sharedMediaAvailable, SKIP_WITHOUT_MEDIA } from '#tests/helpers/media'

test.group('Browser: upload with consent', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await launchBrowser()
    return () => browser.close()
  })
  group.each.setup(isolate)

  test('a creator gives consent, uploads a clip and watches its status change live', async ({
    assert,
  }) => {
    await ConsentTextFactory.create()
    const creator = await makeUser('creator', { fullName: 'Lea Keeper' })
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))

    await logIn(page, creator)

    // Upload starts with consent.
    await page.getByRole('link', { name: 'Upload', exact: true }).click()
    await page.getByRole('link', { name: 'Give consent for a new batch' }).click()
    await page.waitForURL('**/consent/new')
    await page.getByLabel('Myself').check()
    await page.locator('input[name="scopes[]"][value="processing"]').check()
    await page.locator('input[name="scopes[]"][value="licensing"]').check()
    await page.locator('input[name="usage"][value="research"]').check()
    await page.getByLabel('Type your full name').fill('Lea Keeper')
    await page.locator('input[name="agree"]').check()
    await page.getByRole('button', { name: 'Give consent and continue to upload' }).click()
    await page.waitForURL('**/upload?consent=*')
    assert.include(await page.getByTestId('batch-consent').textContent(), 'Consent #')

    // Pick a real clip, describe it, upload it.
    const path = sharedClips()[0]
    // The uploader is a chunk of its own: on a cold dev server it may still be loading.
    await page.locator('#uploader[data-uploader-ready="true"]').waitFor({ timeout: 60_000 })
    await page.locator('#file-input').setInputFiles(path)
    const row = page.locator('[data-upload-row]').first()
    await row.locator('input[name="title"]').fill('Penalty drill, left foot')
    await row.locator('select[name="sport"]').selectOption('football')
    await row.locator('input[name="activity"]').fill('penalty kicks')
    await row.locator('input[name="tags"]').fill('u16, rain')
    await row.getByRole('button', { name: 'Upload' }).click()
    await page.locator('[data-upload-row][data-state="uploaded"]').waitFor({ timeout: 30_000 })
    assert.include(await row.locator('[data-field="message"]').textContent(), 'Stored and checked')
    await screenshot(page, 'upload-done')

    const clip = await Clip.query().where('user_id', creator.id).firstOrFail()
    assert.equal(clip.title, 'Penalty drill, left foot')
    assert.deepEqual(clip.tags, ['u16', 'rain'])
    assert.equal(clip.originalFilename, basename(path))

    // My clips shows it waiting, then follows the worker's progress without a reload.
    await row.getByRole('link', { name: 'See it in My clips' }).click()
    await page.waitForURL(`**/clips/${clip.id}`)
    await page.goto(appUrl('/clips'))
    await page.getByText('Penalty drill, left foot').waitFor()
    await page.getByText('Waiting for processing').first().waitFor()
    clip.merge({ status: 'processing', progress: 40 })
    await clip.save()
    await page.getByText('40%').first().waitFor({ timeout: 15_000 })
    await screenshot(page, 'my-clips-live-status')
    assert.deepEqual(errors, [])
    await page.close()
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(120_000)
})
