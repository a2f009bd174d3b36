/// <reference lib="dom" />
import { test } from '@japa/runner'
import type { Browser } from 'playwright-core'
import db from '@adonisjs/lucid/services/db'
import { clipUnder, draftDataset } from '#tests/helpers/catalog'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { appUrl, launchBrowser, logIn, screenshot } from '#tests/helpers/browser'

test.group('Browser: the dataset clip picker honours consent', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await launchBrowser()
    return () => browser.close()
  })
  group.each.setup(isolate)

  test('clips whose consent does not cover a commercial dataset are greyed with the reason and cannot be ticked', async ({
    assert,
  }) => {
    const creator = await makeUser('creator')
    const ok = await clipUnder(
      creator,
      { scopes: ['processing', 'licensing'], usage: 'research_and_commercial' },
      { title: 'Sprint start, side view' }
    )
    const processingOnly = await clipUnder(
      creator,
      { scopes: ['processing'], usage: 'research_and_commercial' },
      { title: 'Hurdles, processing only' }
    )
    const researchOnly = await clipUnder(
      creator,
      { scopes: ['processing', 'licensing'], usage: 'research' },
      { title: 'Long jump, research only' }
    )
    const dataset = await draftDataset(creator, {
      title: 'Athletics starts',
      licenceType: 'commercial',
      sport: 'athletics',
    })

    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await logIn(page, creator)
    await page.goto(appUrl(`/my/datasets/${dataset.id}/edit`))

    const okItem = page.locator(`[data-available-clip="${ok.id}"]`)
    assert.isTrue(await okItem.locator('input[type=checkbox]').isEnabled())
    for (const [clip, words] of [
      [processingOnly, 'covers processing only, not licensing'],
      [
        researchOnly,
        'is consented for research use only: it can enter research datasets, not a commercial one',
      ],
    ] as const) {
      const item = page.locator(`[data-available-clip="${clip.id}"]`)
      assert.isTrue(
        await item.locator('input[type=checkbox]').isDisabled(),
        `${clip.title} cannot be ticked`
      )
      const reason = item.locator(`[data-ineligible-reason="${clip.id}"]`)
      assert.isTrue(await reason.isVisible())
      assert.include(await reason.innerText(), words)
      // Greyed: the item is drawn at half opacity.
      assert.equal(await item.evaluate((node) => getComputedStyle(node).opacity), '0.5')
    }
    await screenshot(page, 'dataset-picker-consent')

    await okItem.locator('input[type=checkbox]').check()
    await page.getByRole('button', { name: 'Save clip selection' }).click()
    await page.waitForURL(`**/my/datasets/${dataset.id}/edit`)
    await page.locator(`[data-picked-clip="${ok.id}"]`).waitFor()
    const rows = await db.from('dataset_clips').where('dataset_id', dataset.id).select('clip_id')
    const picked = rows.map((row) => row.clip_id)
    assert.deepEqual(picked, [ok.id])
    assert.deepEqual(errors, [])
    await page.close()
  })
})
