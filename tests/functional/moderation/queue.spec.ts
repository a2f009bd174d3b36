import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import env from '#start/env'
import { ClipFactory } from '#database/factories/clip_factory'
import { QUEUE_PAGE_SIZE } from '#app/moderation/review_queue'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { fakeRegions, reviewableClip } from '#tests/functional/moderation/fixtures'

/** The clip ids of the queue's rows, in page order. */
function rowIds(html: string) {
  return [...html.matchAll(/data-moderation-row data-clip-id="([0-9a-f-]{36})"/g)].map(
    (match) => match[1]
  )
}

/** Where a presigned link to the creator's original (raw bucket) would point. */
const rawBucketPath = (clipId: string) =>
  `/${env.get('S3_BUCKET_PREFIX')}raw/clips/${clipId}/original`

test.group('Moderation: the queue and the review page', (group) => {
  group.each.setup(isolate)

  test('the queue lists processed clips oldest first with thumbnail, creator, duration and consent', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const creator = await makeUser('creator', { fullName: 'Ada Runner' })
    const newer = await reviewableClip(creator, {
      title: 'Newer clip',
      createdAt: DateTime.now().minus({ hours: 1 }),
    })
    const older = await reviewableClip(creator, {
      title: 'Older clip',
      createdAt: DateTime.now().minus({ days: 1 }),
      durationMs: 83_400,
    })
    await ClipFactory.apply('approved').merge({ title: 'Already approved' }).create()
    await ClipFactory.merge({ title: 'Still uploading' }).create()

    const page = await client.get('/admin/moderation').loginAs(admin)
    page.assertStatus(200)
    assert.deepEqual(rowIds(page.text()), [older.id, newer.id])
    page.assertTextIncludes('Ada Runner')
    page.assertTextIncludes('1 min 23.4 s')
    page.assertTextIncludes('processing, licensing')
    page.assertTextIncludes(
      `/${env.get('S3_BUCKET_PREFIX')}previews/clips/${older.id}/thumbnail.jpg`
    )
    page.assertTextIncludes('j</kbd>/<kbd>k</kbd>')
    assert.notInclude(page.text(), 'Already approved')
    assert.notInclude(page.text(), 'Still uploading')
    // The queue never links the original: only the review page does.
    assert.notInclude(page.text(), rawBucketPath(older.id))

    const fragment = await client
      .get('/admin/moderation')
      .header('HX-Request', 'true')
      .loginAs(admin)
    assert.include(fragment.header('vary') ?? '', 'HX-Request')
    assert.match(fragment.text(), /^<div id="moderation-queue"/)
    assert.deepEqual(rowIds(fragment.text()), [older.id, newer.id])
  })

  test('filters: status, sport, activity, creator and upload dates; bad filters are named', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const ada = await makeUser('creator', { fullName: 'Ada Runner', email: 'ada@club.test' })
    const bo = await makeUser('creator', { fullName: 'Bo Keeper' })
    const tennis = await reviewableClip(ada, {
      sport: 'tennis',
      activity: 'serve',
      createdAt: DateTime.fromISO('2026-03-02T10:00:00Z'),
    })
    const football = await reviewableClip(bo, {
      sport: 'football',
      activity: 'penalty kick',
      createdAt: DateTime.fromISO('2026-03-05T10:00:00Z'),
    })
    const rejected = await ClipFactory.apply('rejected')
      .merge({ userId: ada.id, title: 'Rejected earlier' })
      .create()

    const ids = async (query: string) => {
      const response = await client.get(`/admin/moderation${query}`).loginAs(admin)
      return rowIds(response.text())
    }
    assert.deepEqual(await ids('?sport=tennis'), [tennis.id])
    assert.deepEqual(await ids('?activity=PENALTY'), [football.id])
    assert.deepEqual(await ids('?creator=ada%40club'), [tennis.id])
    assert.deepEqual(await ids('?creator=keeper'), [football.id])
    assert.deepEqual(await ids('?from=2026-03-03'), [football.id])
    assert.deepEqual(await ids('?to=2026-03-02'), [tennis.id])
    assert.deepEqual(await ids('?status=rejected'), [rejected.id])

    const bad = await client.get('/admin/moderation?from=yesterday').loginAs(admin)
    bad.assertStatus(200)
    bad.assertTextIncludes('Give dates as YYYY-MM-DD.')
    assert.sameMembers(rowIds(bad.text()), [tennis.id, football.id])
    const noSuchDay = await client.get('/admin/moderation?to=2026-02-31').loginAs(admin)
    noSuchDay.assertStatus(200)
    noSuchDay.assertTextIncludes('There is no such day as 2026-02-31.')
  })

  test('the queue pages through more clips than fit on a page', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const creator = await makeUser('creator')
    for (let index = 0; index <= QUEUE_PAGE_SIZE; index++) {
      await ClipFactory.apply('processed')
        .merge({ userId: creator.id, createdAt: DateTime.now().minus({ minutes: 100 - index }) })
        .create()
    }
    const first = await client.get('/admin/moderation').loginAs(admin)
    assert.lengthOf(rowIds(first.text()), QUEUE_PAGE_SIZE)
    first.assertTextIncludes('href="/admin/moderation?page=2"')
    const second = await client.get('/admin/moderation?page=2').loginAs(admin)
    assert.lengthOf(rowIds(second.text()), 1)
    assert.notInclude(rowIds(first.text()), rowIds(second.text())[0])
  })

  test('the review page shows the original beside the anonymized video, consent, metadata and its neighbours', async ({
    client,
  }) => {
    const admin = await makeUser('admin')
    const before = await reviewableClip(null, { createdAt: DateTime.now().minus({ hours: 3 }) })
    const clip = await reviewableClip(null, {
      title: 'Under review',
      createdAt: DateTime.now().minus({ hours: 2 }),
    })
    const after = await reviewableClip(null, { createdAt: DateTime.now().minus({ hours: 1 }) })

    const page = await client.get(`/admin/moderation/${clip.id}`).loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes(rawBucketPath(clip.id))
    page.assertTextIncludes(`/${env.get('S3_BUCKET_PREFIX')}processed/clips/${clip.id}/video.mp4`)
    page.assertTextIncludes(`data-keypoints-url="/clips/${clip.id}/keypoints.json"`)
    page.assertTextIncludes(`data-regions-url="/admin/moderation/${clip.id}/regions.json"`)
    page.assertTextIncludes('&quot;framesFilledByTracking&quot;')
    page.assertTextIncludes(`#${clip.consentRecordId} · grant`)
    page.assertTextIncludes(`data-previous-url="/admin/moderation/${before.id}"`)
    page.assertTextIncludes(`data-next-url="/admin/moderation/${after.id}"`)
    page.assertTextIncludes(`action="/admin/moderation/${clip.id}/reject"`)
    page.assertTextIncludes(`name="next" value="/admin/moderation/${after.id}"`)

    // The last clip's decision leads back to the queue, with its filters.
    const last = await client
      .get(`/admin/moderation/${after.id}?sport=${after.sport}`)
      .loginAs(admin)
    last.assertTextIncludes(`name="next" value="/admin/moderation?sport=${after.sport}"`)
  })

  test('the original is for admins only: the creator’s own pages and other roles never get it', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const creator = await makeUser('creator')
    const buyer = await makeUser('buyer')
    const clip = await reviewableClip(creator)

    const adminPage = await client.get(`/admin/moderation/${clip.id}`).loginAs(admin)
    adminPage.assertTextIncludes(rawBucketPath(clip.id))
    for (const user of [creator, buyer]) {
      const refused = await client.get(`/admin/moderation/${clip.id}`).loginAs(user)
      refused.assertStatus(403)
      assert.notInclude(refused.text(), rawBucketPath(clip.id))
      const regions = await client
        .get(`/admin/moderation/${clip.id}/regions.json`)
        .header('accept', 'application/json')
        .loginAs(user)
      regions.assertStatus(403)
    }
    for (const url of [`/clips/${clip.id}`, '/clips', '/creator']) {
      const own = await client.get(url).loginAs(creator)
      assert.notInclude(own.text(), rawBucketPath(clip.id), url)
      assert.notInclude(own.text(), '/regions.json', url)
    }
  })

  test('regions.json comes from our origin for admins; a clip processed before regions says so', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const clip = await reviewableClip(null)
    const older = await reviewableClip(null, {}, { regions: false })

    const regions = await client.get(`/admin/moderation/${clip.id}/regions.json`).loginAs(admin)
    regions.assertStatus(200)
    assert.match(regions.header('content-type') ?? '', /application\/json/)
    assert.deepEqual(JSON.parse(regions.text()), fakeRegions(clip.id))

    // The refusal is moderation's E_NO_REGIONS: JSON for a client that asks, a page otherwise.
    const missing = await client
      .get(`/admin/moderation/${older.id}/regions.json`)
      .accept('json')
      .loginAs(admin)
    missing.assertStatus(404)
    assert.deepEqual(missing.body(), {
      errors: [
        {
          code: 'E_NO_REGIONS',
          message: 'This clip was processed before blurred regions were recorded.',
        },
      ],
    })
    const missingPage = await client
      .get(`/admin/moderation/${older.id}/regions.json`)
      .loginAs(admin)
    missingPage.assertStatus(404)
    missingPage.assertTextIncludes('This clip was processed before blurred regions were recorded.')
    const page = await client.get(`/admin/moderation/${older.id}`).loginAs(admin)
    page.assertTextIncludes(
      'this clip was processed before they were recorded, so there is nothing to draw.'
    )
    assert.notInclude(page.text(), 'data-regions-toggle')

    const unknown = await client
      .get('/admin/moderation/00000000-0000-4000-8000-000000000000')
      .loginAs(admin)
    unknown.assertStatus(404)
    const malformed = await client.get('/admin/moderation/not-a-clip').loginAs(admin)
    malformed.assertStatus(404)
  })
})
