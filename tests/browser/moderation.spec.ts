/// <reference lib="dom" />
import { test } from '@japa/runner'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import type { Browser } from 'playwright-core'
import AuditLog from '#models/audit_log'
import Clip from '#models/clip'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { ffmpegMake } from '#tests/helpers/media'
import { appUrl, launchBrowser, logIn, screenshot } from '#tests/helpers/browser'
import { reviewableClip } from '#tests/functional/moderation/fixtures'

/**
 * Journey 2 of ARCHITECTURE §2, the review part: an admin works through the moderation
 * queue with the keyboard only (j to move, a to approve), then opens a review page with the
 * original beside the anonymized video and the blurred regions drawn over it.
 */
test.group('Browser: an admin moderates clips with the keyboard', (group) => {
  let browser: Browser
  let media: { video: Buffer; thumbnail: Buffer }
  let work: string
  group.setup(async () => {
    browser = await launchBrowser()
    work = await mkdtemp(join(tmpdir(), 'athera-moderation-'))
    const video = await ffmpegMake(join(work, 'clip.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=30:duration=2',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
    ])
    const thumbnail = await ffmpegMake(join(work, 'thumbnail.jpg'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360',
      '-frames:v',
      '1',
    ])
    media = { video: await readFile(video), thumbnail: await readFile(thumbnail) }
    return async () => {
      await browser.close()
      await rm(work, { recursive: true, force: true })
    }
  })
  group.each.setup(isolate)
  group.each.timeout(120_000)

  test('j moves to the second clip, a approves it in place; the review page shows both videos and the regions', async ({
    assert,
  }) => {
    const admin = await makeUser('admin')
    const creator = await makeUser('creator', { fullName: 'Ada Runner' })
    const first = await reviewableClip(
      creator,
      {
        title: 'Sprint start, side view',
        sport: 'athletics',
        activity: '100 m sprint start',
        createdAt: DateTime.now().minus({ hours: 2 }),
      },
      media
    )
    const second = await reviewableClip(
      creator,
      {
        title: 'Penalty kick, behind the goal',
        sport: 'football',
        activity: 'penalty kick',
        createdAt: DateTime.now().minus({ hours: 1 }),
      },
      media
    )

    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await logIn(page, admin)
    await page.goto(appUrl('/admin/moderation'))

    const rows = page.locator('[data-moderation-row]')
    await rows.first().waitFor()
    assert.equal(await rows.count(), 2)
    // The keyboard script marks the first clip as selected once it is loaded.
    await page
      .locator(`[data-moderation-row][data-clip-id="${first.id}"][data-selected="true"]`)
      .waitFor()
    await page.keyboard.press('j')
    await page
      .locator(`[data-moderation-row][data-clip-id="${second.id}"][data-selected="true"]`)
      .waitFor()
    // The page fades in: the screenshot waits for it.
    await page.waitForFunction(() =>
      document.getAnimations().every((animation) => animation.playState !== 'running')
    )
    await screenshot(page, 'moderation-queue')
    await page.keyboard.press('a')

    // htmx posts the decision and the queue reloads itself: the approved clip leaves it.
    await page
      .locator(`[data-moderation-row][data-clip-id="${second.id}"]`)
      .waitFor({ state: 'detached' })
    await page.locator('[data-notice="success"]').waitFor()
    assert.equal(await rows.count(), 1)
    const secondNow = await Clip.findOrFail(second.id)
    assert.equal(secondNow.status, 'approved')
    const firstNow = await Clip.findOrFail(first.id)
    assert.equal(firstNow.status, 'processed')
    const audit = await AuditLog.query()
      .where('action', 'clip.approved')
      .where('subject_id', second.id)
      .firstOrFail()
    assert.equal(audit.actorId, admin.id)
    // The selection stays at its place, on the clip that is left.
    await page
      .locator(`[data-moderation-row][data-clip-id="${first.id}"][data-selected="true"]`)
      .waitFor()
    await screenshot(page, 'moderation-queue-approved')

    // o opens the review of the selected clip: the original beside the anonymized video.
    await page.keyboard.press('o')
    await page.waitForURL(`**/admin/moderation/${first.id}`)
    await page.locator('[data-original-video]').waitFor()
    await page.locator('[data-regions-toggle]').check()
    await page
      .locator('[data-regions-status]', { hasText: '10 of 20 frames have blurred regions' })
      .waitFor()
    await page.waitForFunction(() => {
      const video = document.querySelector<HTMLVideoElement>('[data-anonymized] video')
      return video !== null && video.readyState >= 1
    })
    await screenshot(page, 'moderation-review')

    // r opens the reason, Enter sends the rejection; with no clip left the queue comes back.
    await page.keyboard.press('r')
    await page.keyboard.type('The number 9 is readable at 0:01.')
    await page.keyboard.press('Enter')
    await page.waitForURL('**/admin/moderation')
    const rejected = await Clip.findOrFail(first.id)
    assert.equal(rejected.status, 'rejected')
    assert.equal(rejected.statusReason, 'The number 9 is readable at 0:01.')
    assert.deepEqual(errors, [])
  })

  test('m and the jump buttons seek both videos to the riskiest moments, heaviest first', async ({
    assert,
  }) => {
    const admin = await makeUser('admin')
    const clip = await reviewableClip(
      null,
      {
        title: 'Relay handover',
        riskScore: 31,
        riskReasons: [
          {
            code: 'face_never_seen',
            message:
              '1 person never had a face detected; their head is blurred only from the pose.',
            weight: 13.3,
            times: [[1.2, 1.8]],
          },
          {
            code: 'kept_by_tracking',
            message:
              'In 6 frames a face the detector lost is blurred only where its track guesses it is.',
            weight: 12.5,
            times: [[0.4, 0.6]],
          },
        ],
      },
      media
    )
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await logIn(page, admin)
    await page.goto(appUrl(`/admin/moderation/${clip.id}`))
    await page.locator('[data-risk-reason="face_never_seen"]').waitFor()
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLVideoElement>('video[data-sync]')).every(
        (video) => video.readyState >= 1
      )
    )
    const times = () =>
      page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLVideoElement>('video[data-sync]')).map(
          (video) => Math.round(video.currentTime * 10) / 10
        )
      )
    const settledAt = (seconds: number) =>
      page.waitForFunction(
        (expected) =>
          Array.from(document.querySelectorAll<HTMLVideoElement>('video[data-sync]')).every(
            (video) => Math.abs(video.currentTime - expected) < 0.05
          ),
        seconds
      )

    // m: the heaviest reason's moment first, then the next, then round again; the original follows.
    await page.keyboard.press('m')
    await settledAt(1.2)
    await page.keyboard.press('m')
    await settledAt(0.4)
    assert.deepEqual(await times(), [0.4, 0.4])
    await page.keyboard.press('m')
    await settledAt(1.2)
    // A button does the same, and says which moment is shown.
    await page.locator('[data-risk-jump="0.4"]').click()
    await settledAt(0.4)
    assert.equal(await page.locator('[data-risk-jump="0.4"]').getAttribute('aria-current'), 'true')
    await screenshot(page, 'moderation-review-risk')
    assert.deepEqual(errors, [])
  })
})
