/// <reference lib="dom" />
import { test } from '@japa/runner'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import ProcessingRun from '#models/processing_run'
import User from '#models/user'
import { launchBrowser, screenshot } from '#tests/helpers/browser'
import { startDevInstance, type DevInstance } from '#tests/helpers/dev_server'
import { ffmpegMake } from '#tests/helpers/media'
import { TEST_PASSWORD } from '#tests/helpers/users'
import { until } from '#tests/helpers/wait'

async function logInAt(page: Page, dev: DevInstance, user: User) {
  await page.goto(`${dev.url}/login`)
  await page.getByLabel('E-mail').fill(user.email)
  await page.getByLabel('Password').fill(TEST_PASSWORD)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.waitForURL(`**/${user.role}`)
}

/**
 * The acceptance of the development path (issue 23): `node ace setup`, then `npm run dev` with
 * its embedded S3 server; a creator uploads a clip in the browser, the dev server's in-process
 * worker runs the anonymization and pose models on it, and an admin approves it.
 */
test.group('Browser: npm run dev, from setup to an approved clip', (group) => {
  let browser: Browser
  let work: string
  group.setup(async () => {
    browser = await launchBrowser()
    work = await mkdtemp(join(tmpdir(), 'athera-dev-clip-'))
    return async () => {
      await browser.close()
      await rm(work, { recursive: true, force: true })
    }
  })

  test('a clip uploaded under npm run dev is processed by the models, then approved', async ({
    assert,
    cleanup,
  }) => {
    // Short and small: the models' work on 2 cores stays within the test's budget.
    const video = await ffmpegMake(join(work, 'relay-handover.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=30:duration=2',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
    ])
    const dev = await startDevInstance()
    cleanup(() => dev.stop())
    const connection = dev.connection
    const creator = await User.create(
      {
        email: 'noa.field@athera.test',
        fullName: 'Noa Field',
        password: TEST_PASSWORD,
        role: 'creator',
      },
      { connection }
    )
    const admin = await User.create(
      {
        email: 'ines.review@athera.test',
        fullName: 'Ines Review',
        password: TEST_PASSWORD,
        role: 'admin',
      },
      { connection }
    )

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await logInAt(page, dev, creator)

    // Consent first, then the upload (the consent text is the demo seed's).
    await page.goto(`${dev.url}/consent/new`)
    await page.getByLabel('Myself').check()
    await page.locator('input[name="scopes[]"][value="processing"]').check()
    await page.locator('input[name="scopes[]"][value="licensing"]').check()
    await page.locator('input[name="usage"][value="research"]').check()
    await page.getByLabel('Type your full name').fill('Noa Field')
    await page.locator('input[name="agree"]').check()
    await page.getByRole('button', { name: 'Give consent and continue to upload' }).click()
    await page.waitForURL('**/upload?consent=*')
    // Vite compiles the uploader's chunk on the first request to a cold dev server.
    await page.locator('#uploader[data-uploader-ready="true"]').waitFor({ timeout: 60_000 })
    await page.locator('#file-input').setInputFiles(video)
    const row = page.locator('[data-upload-row]').first()
    await row.locator('input[name="title"]').fill('Relay handover, second leg')
    await row.locator('select[name="sport"]').selectOption('athletics')
    await row.getByRole('button', { name: 'Upload' }).click()
    await page.locator('[data-upload-row][data-state="uploaded"]').waitFor({ timeout: 30_000 })

    // The dev server's worker takes the job and runs the models on the vision thread.
    const clip = await Clip.query({ connection }).where('user_id', creator.id).firstOrFail()
    const done = await until(
      async () => {
        await clip.refresh()
        return ['processed', 'failed'].includes(clip.status)
      },
      100_000,
      1000
    )
    assert.isTrue(
      done,
      `the clip is still ${clip.status} (${clip.progress}%):\n${dev.output().slice(-4000)}`
    )
    assert.equal(clip.status, 'processed', `${clip.statusReason}\n${dev.output().slice(-4000)}`)
    assert.isNull(clip.statusReason)
    const run = await ProcessingRun.query({ connection })
      .where('clip_id', clip.id)
      .where('status', 'succeeded')
      .firstOrFail()
    assert.isAbove(Object.keys(run.modelVersions).length, 0, 'the run records the models it used')
    const clipAssets = await ClipAsset.query({ connection }).where('clip_id', clip.id)
    const kinds = clipAssets.map((asset) => asset.kind)
    assert.includeMembers(kinds, ['video', 'keypoints'])
    assert.equal(clip.keypointFrameCount, 60)

    // The admin approves it from the moderation queue.
    const adminPage = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
    adminPage.on('pageerror', (error) => errors.push(error.message))
    await logInAt(adminPage, dev, admin)
    await adminPage.goto(`${dev.url}/admin/moderation`)
    const queued = adminPage.locator(`[data-moderation-row][data-clip-id="${clip.id}"]`)
    await queued.locator('[data-action="approve"]').click()
    await queued.waitFor({ state: 'detached' })
    await adminPage.locator('[data-notice="success"]').waitFor()
    await screenshot(adminPage, 'dev-server-approved')
    await clip.refresh()
    assert.equal(clip.status, 'approved')
    assert.equal(clip.reviewedBy, admin.id)
    assert.deepEqual(errors, [])
    await adminPage.close()
    await page.close()
  }).timeout(180_000)
})
