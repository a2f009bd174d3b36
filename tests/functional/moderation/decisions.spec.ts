import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import AuditLog from '#models/audit_log'
import Clip from '#models/clip'
import Dataset from '#models/dataset'
import type { DatasetManifest } from '#app/datasets/dataset_service'
import { DatasetService } from '#app/datasets/dataset_service'
import { datasetErrors } from '#app/datasets/errors'
import { ClipFactory } from '#database/factories/clip_factory'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { approvedClipWithAssets, draftDataset, publishWith } from '#tests/helpers/catalog'
import { reviewableClip } from '#tests/functional/moderation/fixtures'

const auditFor = (clipId: string) =>
  AuditLog.query().where('subject_type', 'clip').where('subject_id', clipId).orderBy('id')

test.group('Moderation: approving and rejecting clips', (group) => {
  group.each.setup(isolate)

  test('an admin approves a processed clip: status, reviewer and time recorded, one audit row', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const clip = await reviewableClip(null, { title: 'Penalty from the left' })

    const response = await client
      .post(`/admin/moderation/${clip.id}/approve`)
      .form({ next: '/admin/moderation?sport=football' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    assert.equal(response.header('location'), '/admin/moderation?sport=football')
    response.assertFlashMessage(
      'success',
      '“Penalty from the left” is approved: it can enter datasets.'
    )
    await clip.refresh()
    assert.equal(clip.status, 'approved')
    assert.equal(clip.reviewedBy, admin.id)
    assert.isNotNull(clip.reviewedAt)
    assert.isNull(clip.statusReason)
    const [entry, ...others] = await auditFor(clip.id)
    assert.lengthOf(others, 0)
    assert.equal(entry.action, 'clip.approved')
    assert.equal(entry.actorId, admin.id)
    assert.deepEqual(entry.meta, { previousStatus: 'processed' })
    assert.isNotNull(entry.ip)
  })

  test('a rejection needs a reason of 3 to 500 characters; without one nothing is written', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const clip = await reviewableClip(null)
    const reject = (form: Record<string, string>) =>
      client
        .post(`/admin/moderation/${clip.id}/reject`)
        .form(form)
        .loginAs(admin)
        .withCsrfToken()
        .redirects(0)

    for (const [form, message] of [
      [{}, 'Give the reason for the rejection: the creator reads it.'],
      [
        { reason: '  ok ' },
        'Give the reason for the rejection in at least 3 characters: the creator reads it.',
      ],
      [{ reason: 'x'.repeat(501) }, 'Keep the reason under 500 characters.'],
    ] as const) {
      const refused = await reject(form)
      refused.assertStatus(302)
      refused.assertFlashMessage('error', message)
    }
    await clip.refresh()
    assert.equal(clip.status, 'processed')
    assert.lengthOf(await auditFor(clip.id), 0)

    const done = await reject({ reason: '  A face stays visible from 0:04 to 0:06.  ' })
    done.assertFlashMessage('success', `“${clip.title}” is rejected; its creator sees the reason.`)
    await clip.refresh()
    assert.equal(clip.status, 'rejected')
    assert.equal(clip.statusReason, 'A face stays visible from 0:04 to 0:06.')
    assert.equal(clip.reviewedBy, admin.id)
    const [entry] = await auditFor(clip.id)
    assert.equal(entry.action, 'clip.rejected')
    assert.deepEqual(entry.meta, {
      previousStatus: 'processed',
      reason: 'A face stays visible from 0:04 to 0:06.',
    })
  })

  test('the creator reads the rejection reason on the clip page and in My clips', async ({
    client,
  }) => {
    const admin = await makeUser('admin')
    const creator = await makeUser('creator')
    const clip = await reviewableClip(creator, { title: 'Corner kick' })
    await client
      .post(`/admin/moderation/${clip.id}/reject`)
      .form({ reason: 'The shirt number 10 is readable at 0:03.' })
      .loginAs(admin)
      .withCsrfToken()

    const page = await client.get(`/clips/${clip.id}`).loginAs(creator)
    page.assertStatus(200)
    page.assertTextIncludes('Rejected in review')
    page.assertTextIncludes('The shirt number 10 is readable at 0:03.')
    const list = await client.get('/clips').loginAs(creator)
    list.assertTextIncludes('The shirt number 10 is readable at 0:03.')
  })

  test('only a processed clip is decided; a rejected one may be approved after all; refusals say why', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const cases = [
      [
        ClipFactory.merge({ title: 'Still uploaded' }),
        'approve',
        '“Still uploaded” has not been processed yet; it can be reviewed once processing has finished.',
      ],
      [
        ClipFactory.merge({ title: 'Busy', status: 'processing' }),
        'reject',
        '“Busy” is still being processed; it can be reviewed once processing has finished.',
      ],
      [
        ClipFactory.apply('failed').merge({ title: 'Broken' }),
        'approve',
        '“Broken” failed processing; only a processed clip can be reviewed.',
      ],
      [
        ClipFactory.apply('withdrawn').merge({ title: 'Gone' }),
        'approve',
        '“Gone” was withdrawn by its creator and can no longer be reviewed.',
      ],
      [
        ClipFactory.apply('approved').merge({ title: 'Sold' }),
        'reject',
        '“Sold” is already approved and may be in sold dataset versions: it is not rejected afterwards (its creator can withdraw it).',
      ],
      [
        ClipFactory.apply('approved').merge({ title: 'Twice' }),
        'approve',
        '“Twice” is already approved.',
      ],
      [ClipFactory.apply('rejected').merge({ title: 'No' }), 'reject', '“No” is already rejected.'],
    ] as const
    for (const [factory, decision, message] of cases) {
      const clip = await factory.create()
      const before = clip.status
      const response = await client
        .post(`/admin/moderation/${clip.id}/${decision}`)
        .form({ reason: 'A good enough reason.' })
        .loginAs(admin)
        .withCsrfToken()
        .redirects(0)
      response.assertStatus(302)
      response.assertFlashMessage('error', message)
      await clip.refresh()
      assert.equal(clip.status, before, clip.title)
      assert.lengthOf(await auditFor(clip.id), 0, clip.title)
    }

    const rejected = await ClipFactory.apply('rejected').create()
    const undone = await client
      .post(`/admin/moderation/${rejected.id}/approve`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    undone.assertFlashMessage('success', `“${rejected.title}” is approved: it can enter datasets.`)
    await rejected.refresh()
    assert.equal(rejected.status, 'approved')
    assert.isNull(rejected.statusReason)
    const [entry] = await auditFor(rejected.id)
    assert.deepEqual(entry.meta, { previousStatus: 'rejected' })
  })

  test('a bulk rejection decides every ticked processed clip with one reason and names the others', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const first = await reviewableClip(null)
    const second = await reviewableClip(null)
    const gone = await ClipFactory.apply('withdrawn').merge({ title: 'Withdrawn one' }).create()
    const untouched = await reviewableClip(null)

    const missingReason = await client
      .post('/admin/moderation/bulk')
      .form({ action: 'reject', clips: [first.id, second.id] })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    missingReason.assertFlashMessage(
      'error',
      'Give the reason for the rejection: the creator reads it.'
    )
    const nothingTicked = await client
      .post('/admin/moderation/bulk')
      .form({ action: 'approve' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    nothingTicked.assertFlashMessage('error', 'Tick at least one clip first.')
    assert.lengthOf(await AuditLog.query().where('action', 'like', 'clip.%'), 0)

    const response = await client
      .post('/admin/moderation/bulk')
      .form({
        action: 'reject',
        clips: [first.id, second.id, gone.id],
        reason: 'Filmed in a changing room.',
        next: '/admin/moderation',
      })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    assert.equal(response.header('location'), '/admin/moderation')
    response.assertFlashMessage(
      'success',
      '2 clips rejected. “Withdrawn one” was withdrawn by its creator and can no longer be reviewed.'
    )
    for (const clip of [first, second]) {
      await clip.refresh()
      assert.equal(clip.status, 'rejected')
      assert.equal(clip.statusReason, 'Filmed in a changing room.')
      const [entry] = await auditFor(clip.id)
      assert.deepEqual(entry.meta, {
        previousStatus: 'processed',
        reason: 'Filmed in a changing room.',
        bulk: true,
      })
    }
    await untouched.refresh()
    assert.equal(untouched.status, 'processed')
    assert.lengthOf(await auditFor(gone.id), 0)

    const single = await client
      .post('/admin/moderation/bulk')
      .form({ action: 'approve', clips: untouched.id })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    single.assertFlashMessage('success', '1 clip approved.')
    await untouched.refresh()
    assert.equal(untouched.status, 'approved')
  })

  test('with htmx a queue decision asks the queue to reload; a review decision brings in the next clip', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const first = await reviewableClip(null, { createdAt: DateTime.now().minus({ hours: 2 }) })
    const second = await reviewableClip(null, { createdAt: DateTime.now().minus({ hours: 1 }) })

    const fromQueue = await client
      .post(`/admin/moderation/${first.id}/approve`)
      .form({ from: 'queue', next: '/admin/moderation' })
      .header('HX-Request', 'true')
      .loginAs(admin)
      .withCsrfToken()
    fromQueue.assertStatus(204)
    assert.equal(fromQueue.header('hx-trigger'), 'moderation-changed')

    const fromReview = await client
      .post(`/admin/moderation/${second.id}/reject`)
      .form({
        from: 'review',
        next: `/admin/moderation/${first.id}?status=approved`,
        reason: 'Too dark to see anyone.',
      })
      .header('HX-Request', 'true')
      .loginAs(admin)
      .withCsrfToken()
    assert.deepEqual(JSON.parse(fromReview.header('hx-location')!), {
      path: `/admin/moderation/${first.id}?status=approved`,
      target: '#moderation-review',
      swap: 'outerHTML',
    })

    // A `next` outside the queue is not followed.
    const elsewhere = await reviewableClip(null)
    const redirected = await client
      .post(`/admin/moderation/${elsewhere.id}/approve`)
      .form({ next: 'https://evil.example/admin/moderation' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    assert.equal(redirected.header('location'), '/admin/moderation')
  })

  test('a rejected clip cannot be picked for a dataset; regions never reach a manifest', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const creator = await makeUser('creator')
    const clip = await reviewableClip(creator, { title: 'Rejected sprint' })
    await client
      .post(`/admin/moderation/${clip.id}/reject`)
      .form({ reason: 'A face is visible.' })
      .loginAs(admin)
      .withCsrfToken()

    const datasets = await app.container.make(DatasetService)
    const dataset = await draftDataset(creator)
    const picked = await datasets.setClips(dataset, creator, [clip.id])
    assert.deepEqual(picked, {
      ok: false,
      code: 'E_CLIP_REJECTED',
      title: 'Rejected sprint',
      type: 'research',
    })
    assert.equal(
      !picked.ok && datasetErrors.describe(picked),
      '“Rejected sprint” was rejected in review and cannot enter a dataset.'
    )

    // An approved clip with a stored regions.json: the published manifest lists no regions.
    const approved = await approvedClipWithAssets(creator)
    const version = await publishWith(await Dataset.findOrFail(dataset.id), creator, [approved])
    const manifest = version.manifest as unknown as DatasetManifest
    const kinds = manifest.clips.flatMap((entry) => entry.files.map((file) => file.kind as string))
    assert.notInclude(kinds, 'regions')
    assert.notInclude(JSON.stringify(manifest), 'regions.json')
    const storedClip = await Clip.findOrFail(clip.id)
    assert.equal(storedClip.status, 'rejected')
  })
})
