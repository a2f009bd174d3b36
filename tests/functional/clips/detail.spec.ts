import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import ClipAsset from '#models/clip_asset'
import ProcessingRun from '#models/processing_run'
import { ClipFactory } from '#database/factories/clip_factory'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'

test.group('One clip in full', (group) => {
  group.each.setup(isolate)

  test('the owner sees status, technical details, consent, assets and processing runs', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const clip = await ClipFactory.apply('failed')
      .merge({
        userId: creator.id,
        title: 'Goalkeeper dive',
        width: 1920,
        height: 1080,
        fps: 29.97,
        durationMs: 12_500,
        bytes: 48_200_000,
      })
      .create()
    await ClipAsset.create({
      clipId: clip.id,
      kind: 'raw',
      bucket: 'raw',
      key: `clips/${clip.id}/original`,
      bytes: 48_200_000,
      sha256: clip.sha256!,
      contentType: 'video/mp4',
    })
    const started = DateTime.now().minus({ minutes: 5 })
    await ProcessingRun.create({
      clipId: clip.id,
      attempt: 1,
      status: 'failed',
      startedAt: started,
      finishedAt: started.plus({ seconds: 3 }),
      failedStep: 'probe',
      errorCode: 'E_NO_VIDEO_STREAM',
      errorMessage: 'The file has no video stream.',
      stepTimings: { probe: 420 },
    })

    const response = await client.get(`/clips/${clip.id}`).loginAs(creator)

    response.assertStatus(200)
    const html = response.text()
    assert.include(html, 'Goalkeeper dive')
    assert.include(html, 'data-clip-status="failed"')
    assert.include(html, 'Retry processing')
    assert.include(html, 'name="from" value="detail"')
    assert.include(html, '1920 × 1080')
    assert.include(html, '29.97 fps')
    assert.include(html, '12.5 s')
    assert.include(html, '48.2 MB')
    assert.include(html, clip.sha256!)
    assert.include(html, `href="/consents/${clip.consentRecordId}"`)
    assert.include(html, `href="/clips/${clip.id}/withdraw"`)
    assert.include(html, 'data-asset-kind="raw"')
    assert.include(html, 'data-run-attempt="1"')
    assert.include(html, 'probe: 420 ms')
    assert.include(html, 'probe: The file has no video stream.')
    // A settled clip does not poll.
    assert.notInclude(html, 'hx-trigger')
  })

  test('a fresh clip reads well with no assets and no runs, and polls while it waits', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const clip = await ClipFactory.merge({ userId: creator.id }).create()

    const full = await client.get(`/clips/${clip.id}`).loginAs(creator)
    assert.include(full.text(), 'No assets are stored for this clip.')
    assert.include(full.text(), 'The pipeline has not run on this clip yet.')

    const response = await client
      .get(`/clips/${clip.id}`)
      .header('HX-Request', 'true')
      .loginAs(creator)
    const fragment = response.text()
    assert.notInclude(fragment, '<html')
    assert.include(fragment, `hx-get="/clips/${clip.id}"`)
    assert.include(fragment, 'hx-trigger="every 3s"')
  })

  test('another creator and a buyer are refused; an admin may look', async ({ client }) => {
    const clip = await ClipFactory.create()
    const asAnotherCreator = await client
      .get(`/clips/${clip.id}`)
      .loginAs(await makeUser('creator'))
    asAnotherCreator.assertStatus(403)
    const asAnotherBuyer = await client.get(`/clips/${clip.id}`).loginAs(await makeUser('buyer'))
    asAnotherBuyer.assertStatus(403)
    const asAnotherAdmin = await client.get(`/clips/${clip.id}`).loginAs(await makeUser('admin'))
    asAnotherAdmin.assertStatus(200)
  })

  test('an unknown or malformed id is a 404, not an error', async ({ client }) => {
    const creator = await makeUser('creator')
    const unknownClip = await client
      .get('/clips/6f1c0b7e-2f4a-4d7e-9a53-1b2c3d4e5f60')
      .loginAs(creator)
    unknownClip.assertStatus(404)
    const malformedId = await client.get('/clips/not-a-uuid').loginAs(creator)
    malformedId.assertStatus(404)
  })
})
