import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import Clip from '#models/clip'
import { QueueService } from '#app/core/queue_service'
import { ClipFactory } from '#database/factories/clip_factory'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'

/** The process-clip jobs waiting for a clip (no worker runs them yet). */
async function queuedJobsFor(clipId: string) {
  const queueService = await app.container.make(QueueService)
  const queue = queueService.queue('process-clip')
  const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized'])
  return jobs.filter((job) => job?.data?.clipId === clipId)
}

/** Redis is not rolled back with the database: remove what a test queued. */
async function removeJobsFor(clipId: string) {
  for (const job of await queuedJobsFor(clipId)) await job.remove()
}

test.group('Retrying a failed clip', (group) => {
  group.each.setup(isolate)

  test('the owner sends a failed clip back to the pipeline', async ({
    client,
    assert,
    cleanup,
  }) => {
    const creator = await makeUser('creator')
    const clip = await ClipFactory.apply('failed')
      .merge({ userId: creator.id, progress: 30 })
      .create()
    cleanup(() => removeJobsFor(clip.id))

    const response = await client
      .post(`/clips/${clip.id}/retry`)
      .form({ from: 'list' })
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', '/clips')
    response.assertFlashMessage('success', `"${clip.title}" is queued for processing again.`)
    await clip.refresh()
    assert.equal(clip.status, 'uploaded')
    assert.isNull(clip.statusReason)
    assert.isNull(clip.failedStep)
    assert.equal(clip.progress, 0)
    const jobs = await queuedJobsFor(clip.id)
    assert.lengthOf(jobs, 1)
    assert.match(jobs[0].id!, new RegExp(`^process-clip-${clip.id}-retry-\\d+$`))
  })

  test('over htmx the refreshed list comes back, with the message and polling on', async ({
    client,
    assert,
    cleanup,
  }) => {
    const creator = await makeUser('creator')
    const clip = await ClipFactory.apply('failed').merge({ userId: creator.id }).create()
    cleanup(() => removeJobsFor(clip.id))

    const response = await client
      .post(`/clips/${clip.id}/retry`)
      .header('HX-Request', 'true')
      .form({ from: 'list' })
      .loginAs(creator)
      .withCsrfToken()

    response.assertStatus(200)
    const html = response.text()
    assert.notInclude(html, '<html')
    assert.include(html, 'id="clip-list"')
    assert.include(html, 'data-notice="success"')
    assert.include(html, 'Waiting for processing')
    assert.include(html, 'hx-trigger="every 3s"')
    assert.lengthOf(await queuedJobsFor(clip.id), 1)
  })

  test('a clip that has not failed is left as it is, with a clear message', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const clip = await ClipFactory.apply('approved').merge({ userId: creator.id }).create()

    const response = await client
      .post(`/clips/${clip.id}/retry`)
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertFlashMessage(
      'error',
      'Only a failed clip can be processed again; this clip is "Approved". Nothing was changed.'
    )
    await clip.refresh()
    assert.equal(clip.status, 'approved')
    assert.lengthOf(await queuedJobsFor(clip.id), 0)
  })

  test("another creator cannot retry someone else's clip", async ({ client, assert }) => {
    const clip = await ClipFactory.apply('failed').create()

    const response = await client
      .post(`/clips/${clip.id}/retry`)
      .loginAs(await makeUser('creator'))
      .withCsrfToken()
      .redirects(0)

    // Bouncer answers a refused form like an invalid one: back, with the reason.
    response.assertStatus(302)
    response.assertFlashMessage('error', 'Only the creator of this clip or an admin can retry it.')
    const unchanged = await Clip.findOrFail(clip.id)
    assert.equal(unchanged.status, 'failed')
    assert.lengthOf(await queuedJobsFor(clip.id), 0)
  })

  test('an admin may retry any failed clip and returns to it', async ({
    client,
    assert,
    cleanup,
  }) => {
    const clip = await ClipFactory.apply('failed').create()
    cleanup(() => removeJobsFor(clip.id))

    const response = await client
      .post(`/clips/${clip.id}/retry`)
      .loginAs(await makeUser('admin'))
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', `/clips/${clip.id}`)
    await clip.refresh()
    assert.equal(clip.status, 'uploaded')
    assert.lengthOf(await queuedJobsFor(clip.id), 1)
  })
})
