import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import AuditLog from '#models/audit_log'
import ClipAsset from '#models/clip_asset'
import ClipRedaction from '#models/clip_redaction'
import type User from '#models/user'
import { QueueService } from '#app/core/queue_service'
import { RedactionWorkService } from '#app/moderation/redaction_work_service'
import { versionContaining } from '#tests/helpers/datasets'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import {
  AUTOMATIC_FACE,
  greyFrame,
  highPassEnergy,
  jobContext,
  readAsset,
  redactableClip,
  redactionMedia,
  replaceAsset,
} from '#tests/helpers/redaction'

const BOX = { x: 600, y: 300, width: 160, height: 120 }
const DRAWN = { frame: 30, ...BOX, start: 20, end: 40 }

function post(client: any, user: User, url: string, form: Record<string, unknown> = {}) {
  return client
    .post(url)
    .form(form)
    .loginAs(user)
    .withCsrfToken()
    .header('HX-Request', 'true')
    .redirects(0)
}

async function forgetJobs(...ids: string[]) {
  const queue = await app.container.make(QueueService)
  for (const id of ids) {
    const name = id.startsWith('track-') ? 'track-redaction' : 'render-redaction'
    await queue
      .queue(name)
      .remove(id)
      .catch(() => {})
  }
}

/** Draws, tracks (running the job here) and asks for the re-render of BOX on `clipId`. */
async function trackedRedaction(client: any, admin: User, clipId: string) {
  const drawn = await post(client, admin, `/admin/moderation/${clipId}/redactions`, DRAWN)
  drawn.assertStatus(200)
  const redaction = await ClipRedaction.query().where('clip_id', clipId).firstOrFail()
  await forgetJobs(`track-redaction-${redaction.id}`)
  const redactionWorkService = await app.container.make(RedactionWorkService)
  await redactionWorkService.track(redaction.id, jobContext())
  await redaction.refresh()
  return redaction
}

test.group('Moderation: a reviewer redacts a miss', (group) => {
  let video: Buffer
  group.setup(async () => {
    const media = await redactionMedia()
    video = media.video
    return media.cleanup
  })
  group.each.setup(isolate)
  group.each.timeout(120_000)

  test('the box is tracked, re-rendered from the original with the automatic regions replayed, recorded with the admin and audited', async ({
    assert,
    client,
  }) => {
    const admin = await makeUser('admin')
    const clip = await redactableClip(null, video)
    const assetsBefore = await ClipAsset.query().where('clip_id', clip.id)
    const before = Object.fromEntries(assetsBefore.map((asset) => [asset.kind, asset.sha256]))

    // Given a box drawn on frame 30 and a range of 20–40: the tracking job is queued.
    const drawn = await post(client, admin, `/admin/moderation/${clip.id}/redactions`, DRAWN)
    drawn.assertStatus(200)
    assert.include(drawn.text(), 'data-redaction-state="tracking"')
    const redaction = await ClipRedaction.query().where('clip_id', clip.id).firstOrFail()
    const queue = await app.container.make(QueueService)
    const job = await queue.queue('track-redaction').getJob(`track-redaction-${redaction.id}`)
    assert.deepEqual(job?.data, { redactionId: redaction.id })
    await forgetJobs(`track-redaction-${redaction.id}`)

    // Then the job follows it: one box per frame of the range, the drawn one on its frame.
    const work = await app.container.make(RedactionWorkService)
    await work.track(redaction.id, jobContext())
    await redaction.refresh()
    assert.equal(redaction.status, 'tracked')
    assert.deepEqual(
      redaction.track!.map((row) => row[0]),
      Array.from({ length: 21 }, (_, index) => 20 + index)
    )
    assert.deepEqual(redaction.track!.find((row) => row[0] === 30)!.slice(1, 5), [
      BOX.x,
      BOX.y,
      BOX.width,
      BOX.height,
    ])
    const panel = await client
      .get(`/admin/moderation/${clip.id}/redactions/${redaction.id}`)
      .loginAs(admin)
      .header('HX-Request', 'true')
    panel.assertStatus(200)
    assert.include(panel.text(), 'data-redaction-state="tracked"')
    assert.include(panel.text(), 'data-redaction-track=')

    // When the admin re-renders, the render job replaces the video and what derives from it.
    const rendering = await post(
      client,
      admin,
      `/admin/moderation/${clip.id}/redactions/${redaction.id}/render`
    )
    rendering.assertStatus(200)
    assert.include(rendering.text(), 'data-redaction-state="rendering"')
    await forgetJobs(`render-redaction-${redaction.id}`)
    await work.render(redaction.id, jobContext())
    await redaction.refresh()
    assert.equal(redaction.status, 'done')
    assert.equal(redaction.source, 'raw')

    const assetsAfter = await ClipAsset.query().where('clip_id', clip.id)
    const after = Object.fromEntries(assetsAfter.map((asset) => [asset.kind, asset.sha256]))
    for (const kind of ['video', 'thumbnail', 'preview', 'regions', 'metadata'])
      assert.notEqual(after[kind], before[kind], `${kind} replaced`)
    assert.equal(after.keypoints, before.keypoints, 'keypoints.json is kept as it was')
    assert.equal(after.raw, before.raw)

    // The new video is blurred in the box, and in the automatic region replayed from the original.
    const oldFrame = await greyFrame(video, 30)
    const newFrame = await greyFrame(await readAsset(clip.id, 'video'), 30)
    // (Measured: 0.64 against 9.2 in the box; 7.4 against 14.8 outside, the re-encode's own loss.)
    assert.isBelow(highPassEnergy(newFrame, BOX), highPassEnergy(oldFrame, BOX) * 0.15)
    const face = { x: AUTOMATIC_FACE.x + 10, y: AUTOMATIC_FACE.y + 10, width: 60, height: 80 }
    assert.isBelow(
      highPassEnergy(await greyFrame(await readAsset(clip.id, 'video'), 5), face),
      highPassEnergy(await greyFrame(video, 5), face) * 0.3
    )
    // Outside the box the picture keeps its detail, less what one more encode costs.
    const outside = { x: 900, y: 500, width: 200, height: 150 }
    assert.isAbove(highPassEnergy(newFrame, outside), highPassEnergy(oldFrame, outside) * 0.35)
    assert.isBelow(highPassEnergy(newFrame, BOX), highPassEnergy(newFrame, outside) * 0.2)

    // regions.json: the automatic rows kept, a manual row per frame, the admin and the time.
    const bytes = await readAsset(clip.id, 'regions')
    const regions = JSON.parse(bytes.toString())
    const ajv = new Ajv2020({ allErrors: true, strict: false })
    addFormats.default(ajv)
    const valid = ajv.compile(
      JSON.parse(
        await readFile(app.makePath('workers/pipeline/schemas/regions.schema.json'), 'utf8')
      )
    )
    assert.isTrue(valid(regions), JSON.stringify(valid.errors))
    assert.lengthOf(regions.manual, 1)
    assert.deepEqual(regions.manual[0].admin, { id: admin.id, email: admin.email })
    assert.equal(regions.manual[0].redactionId, redaction.id)
    assert.deepEqual(regions.manual[0].frames, [20, 40])
    assert.deepEqual(regions.manual[0].anchor, { frame: 30, ...BOX })
    assert.equal(regions.manual[0].source, 'raw')
    assert.approximately(Date.parse(regions.manual[0].at), Date.now(), 120_000)
    const rows = regions.frames.flatMap((entry: any) =>
      Array.from({ length: entry.count }, (_, offset) => [entry.index + offset, entry.regions])
    )
    const manualFrames = rows
      .filter(([, list]: any) => list.some((row: any) => row[0] === 'manual'))
      .map(([index]: any) => index)
    assert.deepEqual(
      manualFrames,
      Array.from({ length: 21 }, (_, index) => 20 + index)
    )
    assert.lengthOf(
      rows.filter(([, list]: any) => list.some((row: any) => row[0] === 'face')),
      10
    )

    // metadata.json names the new files' hashes and the redaction, without the reviewer.
    const metadataBytes = await readAsset(clip.id, 'metadata')
    const metadata = JSON.parse(metadataBytes.toString())
    for (const kind of ['video', 'keypoints', 'thumbnail', 'preview'])
      assert.equal(
        metadata.files[kind].sha256,
        after[kind],
        `metadata.json lists the stored ${kind}`
      )
    assert.deepEqual(
      metadata.redactions.map((item: any) => [item.frames, item.regions]),
      [[[20, 40], 21]]
    )
    assert.notInclude(JSON.stringify(metadata), admin.email)

    const audit = await AuditLog.query()
      .where('action', 'clip.redacted')
      .where('subject_id', clip.id)
      .firstOrFail()
    assert.equal(audit.actorId, admin.id)
    assert.equal(audit.meta.regions, 21)
    assert.deepEqual(audit.meta.frames, [20, 40])
    assert.equal(audit.meta.source, 'raw')
    assert.equal(audit.meta.videoSha256, after.video)
    assert.equal(audit.meta.previousVideoSha256, before.video)

    // Running the job again (a redelivery) changes nothing and audits nothing more.
    await work.render(redaction.id, jobContext())
    const assetsAgain = await ClipAsset.query().where('clip_id', clip.id)
    const again = Object.fromEntries(assetsAgain.map((asset) => [asset.kind, asset.sha256]))
    assert.deepEqual(again, after)
    assert.lengthOf(
      await AuditLog.query().where('action', 'clip.redacted').where('subject_id', clip.id),
      1
    )
  })

  test('once retention removed the original, the anonymized video is blurred in the box instead', async ({
    assert,
    client,
  }) => {
    const admin = await makeUser('admin')
    const clip = await redactableClip(null, video, { status: 'approved' })
    await ClipAsset.query().where('clip_id', clip.id).where('kind', 'raw').delete()
    const redaction = await trackedRedaction(client, admin, clip.id)
    const response = await post(
      client,
      admin,
      `/admin/moderation/${clip.id}/redactions/${redaction.id}/render`
    )
    response.assertStatus(200)
    await forgetJobs(`render-redaction-${redaction.id}`)
    const redactionWorkService = await app.container.make(RedactionWorkService)
    await redactionWorkService.render(redaction.id, jobContext())
    await redaction.refresh()
    assert.equal(redaction.status, 'done')
    assert.equal(redaction.source, 'anonymized')
    const newFrame = await greyFrame(await readAsset(clip.id, 'video'), 35)
    const tracked = redaction.track!.find((row) => row[0] === 35)!
    const box = { x: tracked[1], y: tracked[2], width: tracked[3], height: tracked[4] }
    assert.isBelow(
      highPassEnergy(newFrame, box),
      highPassEnergy(await greyFrame(video, 35), box) * 0.3
    )
    const bytes = await readAsset(clip.id, 'regions')
    const regions = JSON.parse(bytes.toString())
    assert.equal(regions.manual[0].source, 'anonymized')
  })

  test('a re-render that fails keeps the old video and says why', async ({ assert, client }) => {
    const admin = await makeUser('admin')
    const clip = await redactableClip(null, video)
    const redaction = await trackedRedaction(client, admin, clip.id)
    const response = await post(
      client,
      admin,
      `/admin/moderation/${clip.id}/redactions/${redaction.id}/render`
    )
    response.assertStatus(200)
    await forgetJobs(`render-redaction-${redaction.id}`)
    // The original is damaged since: it no longer decodes.
    await replaceAsset(clip.id, 'raw', Buffer.concat([video.subarray(0, 4096), Buffer.alloc(4096)]))
    const assetsBefore = await ClipAsset.query().where('clip_id', clip.id).orderBy('kind')
    const before = assetsBefore.map((asset) => `${asset.kind}:${asset.key}:${asset.sha256}`)
    const redactionWorkService = await app.container.make(RedactionWorkService)
    await redactionWorkService.render(redaction.id, jobContext())
    await redaction.refresh()
    assert.equal(redaction.status, 'failed')
    assert.isNotEmpty(redaction.errorMessage)
    const assetsAfter = await ClipAsset.query().where('clip_id', clip.id).orderBy('kind')
    const after = assetsAfter.map((asset) => `${asset.kind}:${asset.key}:${asset.sha256}`)
    assert.deepEqual(after, before)
    assert.deepEqual(await readAsset(clip.id, 'video'), video)
    assert.lengthOf(await AuditLog.query().where('action', 'clip.redacted'), 0)
    const page = await client.get(`/admin/moderation/${clip.id}`).loginAs(admin)
    assert.include(page.text(), 'data-redaction-outcome="failed"')
  })

  test('a box outside the frame, an empty or too long range are refused with a sentence, and nothing is recorded', async ({
    assert,
    client,
  }) => {
    const admin = await makeUser('admin')
    const clip = await redactableClip(null, video)
    const url = `/admin/moderation/${clip.id}/redactions`
    const cases: [Record<string, unknown>, string][] = [
      [{ ...DRAWN, x: 1200, width: 160 }, 'The box goes outside the frame (1280×720)'],
      [{ ...DRAWN, y: 650, height: 120 }, 'The box goes outside the frame'],
      [{ ...DRAWN, start: 35, end: 25 }, 'The range is empty'],
      [{ ...DRAWN, end: 60 }, 'The range ends after the clip does'],
      [{ ...DRAWN, frame: 45 }, 'The range must include the frame the box was drawn on'],
      [{ ...DRAWN, width: 4 }, 'The box is too small'],
      [{ ...DRAWN, x: -5 }, 'cannot be negative'],
      [{ ...DRAWN, x: 'left' }, 'whole numbers'],
      [{ frame: 30 }, 'Draw a box on the video first'],
    ]
    for (const [form, sentence] of cases) {
      const response = await post(client, admin, url, form)
      response.assertStatus(422)
      assert.include(response.text(), sentence, JSON.stringify(form))
      assert.include(response.text(), 'data-redaction-error')
    }
    // A plain form (no htmx) is sent back to the review page with the sentence.
    const plain = await client
      .post(url)
      .form({ ...DRAWN, start: 35, end: 25 })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    plain.assertStatus(302)
    assert.equal(plain.header('location'), `/admin/moderation/${clip.id}`)
    assert.lengthOf(await ClipRedaction.query().where('clip_id', clip.id), 0)
  })

  test('the range may be at most 10 seconds', async ({ assert, client }) => {
    const admin = await makeUser('admin')
    // A longer clip on paper: the check reads metadata.json's frame count.
    const clip = await redactableClip(null, video)
    const bytes = await readAsset(clip.id, 'metadata')
    const metadata = JSON.parse(bytes.toString())
    metadata.output.frameCount = 900
    await replaceAsset(clip.id, 'metadata', Buffer.from(JSON.stringify(metadata)))
    const response = await post(client, admin, `/admin/moderation/${clip.id}/redactions`, {
      ...DRAWN,
      start: 0,
      end: 300,
    })
    response.assertStatus(422)
    assert.include(response.text(), 'longer than 10 seconds (300 frames)')
  })

  test('only an active admin redacts; creators and buyers are refused', async ({
    assert,
    client,
  }) => {
    const clip = await redactableClip(null, video)
    for (const role of ['creator', 'buyer'] as const) {
      const user = await makeUser(role)
      // A refused form is sent back, like every form; the panel itself is a 403 with the sentence.
      const response = await post(client, user, `/admin/moderation/${clip.id}/redactions`, DRAWN)
      response.assertStatus(302)
      const panel = await client.get(`/admin/moderation/${clip.id}/redactions/1`).loginAs(user)
      panel.assertStatus(403)
      assert.include(panel.text(), 'Only administrators redact clips.')
    }
    const guest = await client
      .post(`/admin/moderation/${clip.id}/redactions`)
      .form(DRAWN)
      .withCsrfToken()
      .redirects(0)
    assert.equal(guest.status(), 302)
    assert.equal(guest.header('location'), '/login')
    assert.lengthOf(await ClipRedaction.query().where('clip_id', clip.id), 0)
  })

  test('a clip not awaiting review nor approved cannot be redacted', async ({ assert, client }) => {
    const admin = await makeUser('admin')
    for (const status of ['rejected', 'withdrawn'] as const) {
      const clip = await redactableClip(
        null,
        video,
        status === 'rejected'
          ? { status, statusReason: 'A face shows.' }
          : { status, withdrawnAt: DateTime.now() }
      )
      const response = await post(client, admin, `/admin/moderation/${clip.id}/redactions`, DRAWN)
      response.assertStatus(409)
      assert.include(
        response.text(),
        `is ${status}: only a clip awaiting review or approved can be redacted`
      )
      assert.lengthOf(await ClipRedaction.query().where('clip_id', clip.id), 0)
    }
  })

  test("an approved clip already in a dataset version is refused: its version's manifest names its video", async ({
    assert,
    client,
  }) => {
    const admin = await makeUser('admin')
    const clip = await redactableClip(null, video, { status: 'approved' })
    await versionContaining(clip)
    const before = await ClipAsset.query()
      .where('clip_id', clip.id)
      .where('kind', 'video')
      .firstOrFail()
    const response = await post(client, admin, `/admin/moderation/${clip.id}/redactions`, DRAWN)
    response.assertStatus(409)
    assert.include(
      response.text(),
      'is in 1 dataset version whose manifest names its video, so it cannot be re-rendered'
    )
    assert.lengthOf(await ClipRedaction.query().where('clip_id', clip.id), 0)
    const after = await ClipAsset.query()
      .where('clip_id', clip.id)
      .where('kind', 'video')
      .firstOrFail()
    assert.equal(after.sha256, before.sha256)
  })

  test('while a re-render runs, another one of the same clip is refused; a new box replaces one not yet rendering', async ({
    assert,
    client,
  }) => {
    const admin = await makeUser('admin')
    const clip = await redactableClip(null, video)
    const first = await trackedRedaction(client, admin, clip.id)

    // A second box replaces the tracked one.
    const second = await post(client, admin, `/admin/moderation/${clip.id}/redactions`, {
      ...DRAWN,
      x: 100,
    })
    second.assertStatus(200)
    await first.refresh()
    assert.equal(first.status, 'cancelled')
    const replacing = await ClipRedaction.query()
      .where('clip_id', clip.id)
      .where('status', 'tracking')
      .firstOrFail()
    await forgetJobs(`track-redaction-${replacing.id}`)
    const response = await post(
      client,
      admin,
      `/admin/moderation/${clip.id}/redactions/${first.id}/render`
    )
    response.assertStatus(404)

    const redactionWorkService = await app.container.make(RedactionWorkService)
    await redactionWorkService.track(replacing.id, jobContext())
    const started = await post(
      client,
      admin,
      `/admin/moderation/${clip.id}/redactions/${replacing.id}/render`
    )
    started.assertStatus(200)
    await forgetJobs(`render-redaction-${replacing.id}`)

    // The same re-render asked twice, a new box, a cancel: all refused while it runs.
    const twice = await post(
      client,
      admin,
      `/admin/moderation/${clip.id}/redactions/${replacing.id}/render`
    )
    twice.assertStatus(409)
    assert.include(twice.text(), 'is already running')
    const drawn = await post(client, admin, `/admin/moderation/${clip.id}/redactions`, DRAWN)
    drawn.assertStatus(409)
    assert.include(drawn.text(), 'is already running')
    const cancel = await post(
      client,
      admin,
      `/admin/moderation/${clip.id}/redactions/${replacing.id}/cancel`
    )
    cancel.assertStatus(409)
    assert.lengthOf(
      await ClipRedaction.query().where('clip_id', clip.id).where('status', 'rendering'),
      1
    )
    assert.lengthOf(await ClipRedaction.query().where('clip_id', clip.id), 2)

    // The database holds to it too: a second `rendering` row of the clip cannot be written.
    await assert.rejects(() =>
      ClipRedaction.create({
        clipId: clip.id,
        adminId: admin.id,
        status: 'rendering',
        anchorFrame: 1,
        box: BOX,
        startFrame: 0,
        endFrame: 2,
        track: [],
      })
    )
  })
})
