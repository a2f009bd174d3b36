import { test } from '@japa/runner'
import { createHash } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import Clip from '#models/clip'
import Dataset from '#models/dataset'
import DatasetVersion from '#models/dataset_version'
import ProcessingRun from '#models/processing_run'
import User from '#models/user'
import ProcessClip from '#jobs/process_clip'
import { CatalogService } from '#app/catalog/catalog_service'
import { StorageService, type BucketName } from '#app/core/storage_service'
import { DEMO_ADMIN_EMAIL } from '#database/seeders/demo_seeder'
import { isolate } from '#tests/helpers/reset'
import { catalogCard, demoMediaFolder, mediaTags, seedDemo } from '#tests/helpers/demo'
import { emptyBuckets } from '#tests/helpers/s3'

const FIRST_MEDIA_CLIP = 'Penalty kick, right foot'

async function sha256Of(bucket: BucketName, key: string) {
  const storage = await app.container.make(StorageService)
  const hash = createHash('sha256')
  for await (const chunk of await storage.getStream(bucket, key)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

test.group('Demo seeder with DEMO_MEDIA_DIR', (group) => {
  group.each.setup(isolate)
  group.each.setup(emptyBuckets)

  test('the folder’s video becomes a clip processed by the real pipeline, stored, approved and its dataset’s cover', async ({
    assert,
    client,
  }) => {
    const media = await demoMediaFolder()
    try {
      await seedDemo(media.dir)
    } finally {
      await media.cleanup()
    }

    // One usable video (the text file and the broken one are left out): one clip gets media.
    const clip = await Clip.query().where('title', FIRST_MEDIA_CLIP).preload('assets').firstOrFail()
    assert.equal(clip.status, 'approved')
    assert.equal(clip.originalFilename, 'a_pattern.mp4')
    assert.closeTo(clip.durationMs!, 2000, 100)
    assert.sameMembers(
      clip.assets.map((asset) => asset.kind),
      ['raw', 'video', 'keypoints', 'regions', 'metadata', 'thumbnail', 'preview']
    )
    for (const asset of clip.assets) {
      assert.equal(
        await sha256Of(asset.bucket, asset.key),
        asset.sha256,
        `${asset.kind} is in storage as recorded`
      )
    }
    const runs = await ProcessingRun.query().where('clip_id', clip.id)
    assert.deepEqual(
      runs.map((run) => [run.status, run.jobId]),
      [['succeeded', `demo-seed-${clip.id}`]]
    )
    const others = await db
      .from('clip_assets')
      .whereNot('clip_id', clip.id)
      .count('* as total')
      .first()
    assert.equal(Number(others.total), 0, 'no other clip pretends to have media')

    // The football dataset shows it: cover, sample, and a manifest naming its processed files.
    const football = await Dataset.findByOrFail('slug', 'football-training-drills')
    assert.equal(football.coverClipId, clip.id)
    const version = await DatasetVersion.findOrFail(football.latestVersionId)
    const catalog = await app.container.make(CatalogService)
    assert.equal(await catalog.sample(version), clip.id)
    const manifest = version.manifest as {
      format: number
      clips: { id: string; files: { kind: string; key: string }[] }[]
    }
    assert.equal(manifest.format, 1)
    const listed = manifest.clips.find((item) => item.id === clip.id)!
    assert.sameMembers(
      listed.files.map((file) => file.kind),
      ['video', 'keypoints', 'metadata', 'thumbnail']
    )
    assert.equal(
      listed.files.find((file) => file.kind === 'video')!.key,
      clip.assets.find((asset) => asset.kind === 'video')!.key
    )
    assert.isTrue(
      manifest.clips.filter((item) => item.id !== clip.id).every((item) => item.files.length === 0)
    )

    // The catalog: the football card has its thumbnail and preview; the starter pack's cover has no media.
    const response = await client.get('/catalog')
    const html = response.text()
    const card = mediaTags(catalogCard(html, 'football-training-drills'))
    assert.deepEqual(
      card.map((tag) => tag.name),
      ['img', 'video']
    )
    assert.include(card[0].src, `clips/${clip.id}/`)
    assert.include(card[1].src, 'preview.mp4')
    const starter = catalogCard(html, 'multi-sport-movement-starter-pack')
    assert.lengthOf(mediaTags(starter), 0)
    assert.include(starter, 'No media yet')
  }).timeout(180_000)

  test('a seed stopped by a processing failure is resumed by the next one, without duplicates', async ({
    assert,
  }) => {
    const media = await demoMediaFolder()
    app.container.swap(
      ProcessClip,
      () =>
        ({
          handle: async () => Promise.reject(new Error('The models could not be loaded.')),
        }) as unknown as ProcessClip
    )
    try {
      await assert.rejects(
        () => seedDemo(media.dir),
        /The models could not be loaded\. Run `node ace db:seed` again to resume\./
      )
      app.container.restore(ProcessClip)
      const waiting = await Clip.findByOrFail('title', FIRST_MEDIA_CLIP)
      assert.equal(waiting.status, 'uploaded')
      assert.isNull(await Dataset.findBy('slug', 'football-training-drills'))

      // The folder is not needed any more: the original is stored.
      await seedDemo()
    } finally {
      app.container.restore(ProcessClip)
      await media.cleanup()
    }

    const clip = await Clip.findByOrFail('title', FIRST_MEDIA_CLIP)
    assert.equal(clip.status, 'approved')
    const storedUser = await User.findByOrFail('email', DEMO_ADMIN_EMAIL)
    assert.equal(clip.reviewedBy, storedUser.id)
    const counts = await db.rawQuery(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM clips) AS clips, (SELECT count(*) FROM datasets) AS datasets`
    )
    assert.deepInclude(counts.rows[0], { users: '6', clips: '12', datasets: '2' })

    // A third run finds the demo complete and changes nothing.
    await seedDemo()
    const again = await db.rawQuery(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM clips) AS clips, (SELECT count(*) FROM processing_runs) AS runs`
    )
    assert.deepInclude(again.rows[0], { users: '6', clips: '12' })
  }).timeout(180_000)

  test('a folder without any usable video stops the seed before anything is written', async ({
    assert,
  }) => {
    await assert.rejects(
      () => seedDemo('/nonexistent/demo-media'),
      /DEMO_MEDIA_DIR is \/nonexistent\/demo-media, which is not a folder/
    )
    assert.isNull(await User.findBy('email', DEMO_ADMIN_EMAIL))
  })
})

test.group('Demo seeder without media', (group) => {
  group.each.setup(isolate)

  /** A page that shows clips or datasets without media: no <img> or <video> at all, and says so. */
  function assertNoMedia(assert: any, html: string, where: string) {
    assert.deepEqual(mediaTags(html), [], `${where} renders no <img> or <video>`)
    assert.include(html, 'No media yet', `${where} says there is no media yet`)
  }

  test('the catalog, the dataset pages, the creator’s clip pages and moderation say “No media yet”', async ({
    assert,
    client,
  }) => {
    await seedDemo()
    const maria = await User.findByOrFail('email', 'maria.santos@athera.test')
    const admin = await User.findByOrFail('email', DEMO_ADMIN_EMAIL)
    const approved = await Clip.findByOrFail('title', FIRST_MEDIA_CLIP)
    const awaitingReview = await Clip.findByOrFail('title', 'High jump, Fosbury flop')

    const response = await client.get('/catalog')
    const catalog = response.text()
    for (const slug of ['football-training-drills', 'multi-sport-movement-starter-pack']) {
      assertNoMedia(assert, catalogCard(catalog, slug), `the ${slug} card`)
      const page = await client.get(`/catalog/${slug}`)
      page.assertStatus(200)
      assertNoMedia(assert, page.text(), `the ${slug} page`)
      assert.notInclude(page.text(), 'data-skeleton', 'no skeleton player without a sample')
    }

    const list = await client.get('/clips').loginAs(maria)
    assertNoMedia(assert, list.text(), 'the creator’s clip list')
    assert.lengthOf(list.text().match(/data-no-media/g) ?? [], 5, 'one per clip of hers')
    const approvedPage = await client.get(`/clips/${approved.id}`).loginAs(maria)
    assertNoMedia(assert, approvedPage.text(), 'an approved clip’s page')

    const queuePage = await client.get('/admin/moderation').loginAs(admin)
    assertNoMedia(assert, queuePage.text(), 'the moderation queue')
    const reviewPage = await client.get(`/admin/moderation/${awaitingReview.id}`).loginAs(admin)
    const review = reviewPage.text()
    assertNoMedia(assert, review, 'the review page')
    assert.notInclude(
      review,
      'no longer stored',
      'nothing was removed: there never was an original'
    )
  })
})
