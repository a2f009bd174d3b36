/// <reference lib="dom" />
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { Browser } from 'playwright-core'
import AuditLog from '#models/audit_log'
import ClipRedaction from '#models/clip_redaction'
import { QueueService } from '#app/core/queue_service'
import { RedactionWorkService } from '#app/moderation/redaction_work_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { appUrl, launchBrowser, logIn, screenshot } from '#tests/helpers/browser'
import {
  greyFrame,
  highPassEnergy,
  jobContext,
  readAsset,
  redactableClip,
  redactionMedia,
} from '#tests/helpers/redaction'

/**
 * The reviewer's redaction tool, with the keyboard and the mouse: b, drag a box on the paused
 * anonymized video, widen the range, Enter follows it, the tracked box is drawn, Enter
 * re-renders; the new video is blurred in the box (pixels read back with ffmpeg) and audited.
 * The jobs are run here, by the test, where a worker would take them from the queue.
 */
test.group('Browser: an admin redacts a miss in the review', (group) => {
  let browser: Browser
  let video: Buffer
  group.setup(async () => {
    browser = await launchBrowser()
    const media = await redactionMedia()
    video = media.video
    return async () => {
      await browser.close()
      await media.cleanup()
    }
  })
  group.each.setup(isolate)
  group.each.timeout(180_000)

  test('draw, follow, re-render: the box is blurred in the new video and audited', async ({
    assert,
  }) => {
    const admin = await makeUser('admin')
    const clip = await redactableClip(null, video, { title: 'Free kick, wall view' })
    const queue = await app.container.make(QueueService)
    const work = await app.container.make(RedactionWorkService)

    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await logIn(page, admin)
    await page.goto(appUrl(`/admin/moderation/${clip.id}`))
    await page.locator('[data-redaction-panel][data-redaction-state="idle"]').waitFor()
    await page.waitForFunction(() => {
      const player = document.querySelector<HTMLVideoElement>('[data-anonymized] video')
      return player !== null && player.readyState >= 1
    })
    // Pause on frame 30 (1 s), then b: a box to draw, and the range around the frame.
    await page.evaluate(() => {
      const player = document.querySelector<HTMLVideoElement>('[data-anonymized] video')!
      player.currentTime = 1
    })
    await page.waitForFunction(
      () =>
        Math.abs(
          document.querySelector<HTMLVideoElement>('[data-anonymized] video')!.currentTime - 1
        ) < 0.01
    )
    await page.keyboard.press('b')
    await page.locator('[data-redaction-panel][data-drawing="true"]').waitFor()
    assert.equal(await page.locator('[data-redaction-field="frame"]').inputValue(), '30')

    // Drag a box over the picture: from 40 % to 55 % across, 40 % to 60 % down.
    const canvas = page.locator('[data-redaction-canvas]')
    const area = (await canvas.boundingBox())!
    await page.mouse.move(area.x + area.width * 0.4, area.y + area.height * 0.4)
    await page.mouse.down()
    await page.mouse.move(area.x + area.width * 0.5, area.y + area.height * 0.5, { steps: 4 })
    await page.mouse.move(area.x + area.width * 0.55, area.y + area.height * 0.6, { steps: 4 })
    await page.mouse.up()
    const field = async (name: string) =>
      Number(await page.locator(`[data-redaction-field="${name}"]`).inputValue())
    const drawn = {
      x: await field('x'),
      y: await field('y'),
      width: await field('width'),
      height: await field('height'),
    }
    assert.approximately(drawn.x, 512, 8)
    assert.approximately(drawn.y, 288, 8)
    assert.approximately(drawn.width, 192, 8)
    assert.approximately(drawn.height, 144, 8)

    // The range starts a second either side, inside the clip; ] moves its start 5 frames later,
    // } its end 5 later (not past the clip's last frame), { 5 earlier.
    assert.deepEqual([await field('start'), await field('end')], [0, 59])
    await page.keyboard.press(']')
    await page.keyboard.press(']')
    await page.keyboard.press(']')
    await page.keyboard.press('}')
    assert.deepEqual([await field('start'), await field('end')], [15, 59])
    await page.keyboard.press('{')
    await page.keyboard.press('{')
    assert.deepEqual([await field('start'), await field('end')], [15, 49])
    await screenshot(page, 'moderation-redaction-draw')

    // Enter: the box is sent to be followed; the panel says so while the job works.
    await page.keyboard.press('Enter')
    await page.locator('[data-redaction-panel][data-redaction-state="tracking"]').waitFor()
    const redaction = await ClipRedaction.query().where('clip_id', clip.id).firstOrFail()
    assert.deepEqual(
      [redaction.anchorFrame, redaction.startFrame, redaction.endFrame],
      [30, 15, 49]
    )
    await queue.queue('track-redaction').remove(`track-redaction-${redaction.id}`)
    await work.track(redaction.id, jobContext())

    // The panel's polling brings the tracked boxes; the box is drawn over the video.
    await page
      .locator('[data-redaction-panel][data-redaction-state="tracked"]')
      .waitFor({ timeout: 15_000 })
    // (Drawn once htmx has settled the new panel: waited for, not read at once.)
    await page.waitForFunction(() => {
      const overlay = document.querySelector<HTMLCanvasElement>('[data-redaction-canvas]')!
      const { data } = overlay.getContext('2d')!.getImageData(0, 0, overlay.width, overlay.height)
      let count = 0
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0) count++
      return count > 100
    })
    await screenshot(page, 'moderation-redaction-tracked')

    // Enter again: the re-render; the review comes back with the new video when it is done.
    await page.keyboard.press('Enter')
    await page.locator('[data-redaction-panel][data-redaction-state="rendering"]').waitFor()
    await queue.queue('render-redaction').remove(`render-redaction-${redaction.id}`)
    await work.render(redaction.id, jobContext())
    await page.locator('[data-redaction-outcome="done"]').waitFor({ timeout: 15_000 })
    await screenshot(page, 'moderation-redaction-done')

    // The pixels: frame 30 of the new video has lost its detail in the box, the old one had it.
    await redaction.refresh()
    const tracked = redaction.track!.find((row) => row[0] === 30)!
    const box = { x: tracked[1], y: tracked[2], width: tracked[3], height: tracked[4] }
    const before = highPassEnergy(await greyFrame(video, 30), box)
    const after = highPassEnergy(await greyFrame(await readAsset(clip.id, 'video'), 30), box)
    assert.isBelow(
      after,
      before * 0.15,
      `high-pass energy in the box: ${after.toFixed(2)} after, ${before.toFixed(2)} before`
    )

    const audit = await AuditLog.query()
      .where('action', 'clip.redacted')
      .where('subject_id', clip.id)
      .firstOrFail()
    assert.equal(audit.actorId, admin.id)
    assert.deepEqual(audit.meta.frames, [15, 49])
    assert.equal(audit.meta.regions, 35)
    assert.deepEqual(errors, [])
  })
})
