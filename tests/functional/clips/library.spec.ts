import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import ClipAsset from '#models/clip_asset'
import { ClipFactory } from '#database/factories/clip_factory'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'

test.group('My clips: the list', (group) => {
  group.each.setup(isolate)

  test("a creator sees their own clips, newest first, and no one else's", async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    await ClipFactory.merge({
      userId: creator.id,
      title: 'Older serve',
      createdAt: DateTime.now().minus({ days: 2 }),
    }).create()
    await ClipFactory.merge({ userId: creator.id, title: 'Newer sprint start' }).create()
    await ClipFactory.merge({ title: "Someone else's free throw" }).create()

    const response = await client.get('/clips').loginAs(creator)

    response.assertStatus(200)
    const html = response.text()
    assert.include(html, '<html')
    assert.include(html, 'Newer sprint start')
    assert.include(html, 'Older serve')
    assert.notInclude(html, 'free throw')
    assert.isBelow(html.indexOf('Newer sprint start'), html.indexOf('Older serve'))
  })

  test('each status reads as a sentence, with the reason when the clip stopped', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const own = { userId: creator.id }
    await ClipFactory.merge({ ...own, title: 'Clip uploaded' }).create()
    await ClipFactory.merge({
      ...own,
      title: 'Clip processing',
      status: 'processing',
      progress: 42,
    }).create()
    await ClipFactory.apply('processed')
      .merge({ ...own, title: 'Clip processed' })
      .create()
    await ClipFactory.apply('approved')
      .merge({ ...own, title: 'Clip approved' })
      .create()
    await ClipFactory.apply('rejected')
      .merge({ ...own, title: 'Clip rejected' })
      .create()
    await ClipFactory.apply('failed')
      .merge({ ...own, title: 'Clip failed' })
      .create()
    await ClipFactory.apply('withdrawn')
      .merge({ ...own, title: 'Clip withdrawn' })
      .create()

    const response = await client.get('/clips').loginAs(creator)
    const html = response.text()

    assert.include(html, 'Waiting for processing')
    assert.match(html, /Processing · 42%/)
    assert.include(html, 'aria-valuenow="42"')
    assert.include(html, 'Awaiting review')
    assert.include(html, 'Approved')
    assert.include(html, 'A face remains visible in the anonymized video.')
    assert.include(html, 'The file has no video stream.')
    assert.include(html, '(step: probe)')
    assert.include(html, 'Consent withdrawn on')
    // Retry is offered for the failed clip only; withdrawal for every clip not withdrawn.
    assert.lengthOf(html.match(/Retry processing/g) ?? [], 1)
    assert.lengthOf(html.match(/Withdraw consent/g) ?? [], 6)
  })

  test('each clip shows its consent grant, scopes and usage', async ({ client, assert }) => {
    const creator = await makeUser('creator')
    const clip = await ClipFactory.merge({ userId: creator.id }).create()

    const response = await client.get('/clips').loginAs(creator)
    const html = response.text()

    assert.include(html, `href="/consents/${clip.consentRecordId}"`)
    assert.include(html, `Grant #${clip.consentRecordId}`)
    assert.include(html, 'processing, licensing')
    assert.include(html, 'Research and commercial')
    assert.include(html, `href="/clips/${clip.id}/withdraw"`)
  })

  test('a thumbnail is a short-lived presigned URL; without one a placeholder holds its place', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const withThumbnail = await ClipFactory.apply('processed')
      .merge({ userId: creator.id })
      .create()
    await ClipFactory.merge({ userId: creator.id }).create()
    await ClipAsset.create({
      clipId: withThumbnail.id,
      kind: 'thumbnail',
      bucket: 'previews',
      key: `clips/${withThumbnail.id}/thumbnail.jpg`,
      bytes: 12_345,
      sha256: 'a'.repeat(64),
      contentType: 'image/jpeg',
    })

    const response = await client.get('/clips').loginAs(creator)
    const html = response.text()

    const src = html.match(/<img[^>]*src="([^"]+)"/)?.[1] ?? ''
    assert.include(src, `clips/${withThumbnail.id}/thumbnail.jpg`)
    assert.include(src, 'X-Amz-Signature=')
    assert.include(src, 'X-Amz-Expires=300')
    assert.lengthOf(html.match(/data-no-media/g) ?? [], 1)
  })

  test('with no clips, the page points to the upload form', async ({ client, assert }) => {
    const creator = await makeUser('creator')
    const response = await client.get('/clips').loginAs(creator)
    const html = response.text()
    assert.include(html, 'No clips yet')
    assert.include(html, 'href="/upload"')
  })

  test('buyers and admins cannot open "My clips"', async ({ client }) => {
    const asAnotherBuyer = await client.get('/clips').loginAs(await makeUser('buyer'))
    asAnotherBuyer.assertStatus(403)
    const asAnotherAdmin = await client.get('/clips').loginAs(await makeUser('admin'))
    asAnotherAdmin.assertStatus(403)
  })
})

test.group('My clips: live status over htmx', (group) => {
  group.each.setup(isolate)

  test('while a clip is processing, htmx gets the list alone and it keeps polling', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    await ClipFactory.merge({ userId: creator.id, status: 'processing', progress: 10 }).create()
    await ClipFactory.apply('approved').merge({ userId: creator.id }).create()

    const response = await client.get('/clips').header('HX-Request', 'true').loginAs(creator)

    response.assertStatus(200)
    const html = response.text()
    assert.notInclude(html, '<html')
    assert.match(html.trimStart(), /^<div[^>]*id="clip-list"/)
    assert.include(html, 'hx-get="/clips"')
    assert.include(html, 'hx-trigger="every 3s"')
    assert.include(html, 'hx-swap="outerHTML"')
    assert.include(response.header('vary') ?? '', 'HX-Request')
  })

  test('an uploaded clip waiting for the pipeline keeps the list polling too', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    await ClipFactory.merge({ userId: creator.id }).create()

    const response = await client.get('/clips').header('HX-Request', 'true').loginAs(creator)
    const html = response.text()
    assert.include(html, 'hx-trigger="every 3s"')
  })

  test('once every clip has settled, the fragment carries no trigger and polling stops', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    await ClipFactory.apply('approved').merge({ userId: creator.id }).create()
    await ClipFactory.apply('failed').merge({ userId: creator.id }).create()
    await ClipFactory.apply('processed').merge({ userId: creator.id }).create()

    const response = await client.get('/clips').header('HX-Request', 'true').loginAs(creator)

    const html = response.text()
    assert.notInclude(html, '<html')
    assert.include(html, 'id="clip-list"')
    assert.notInclude(html, 'hx-trigger')
    assert.notInclude(html, 'hx-get')
  })

  test('the full page polls with the same component while a clip is active', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    await ClipFactory.merge({ userId: creator.id, status: 'processing', progress: 55 }).create()

    const response = await client.get('/clips').loginAs(creator)
    const html = response.text()
    assert.include(html, '<html')
    assert.include(html, 'id="clip-list"')
    assert.include(html, 'hx-trigger="every 3s"')
  })
})
