import { createHash } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Clip from '#models/clip'
import Dataset from '#models/dataset'
import DatasetVersion from '#models/dataset_version'
import { StorageService, type BucketName } from '#app/core/storage_service'
import type { DatasetManifest } from '#app/datasets/dataset_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { approvedClipWithAssets, draftDataset, publishWith } from '#tests/helpers/catalog'

async function storedSha256(bucket: BucketName, key: string) {
  const storage = await app.container.make(StorageService)
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of await storage.getStream(bucket, key)) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  return { sha256: hash.digest('hex'), bytes }
}

/** The messages a form field got back (what the page shows under the field). */
function fieldErrors(
  response: { flashMessages(): Record<string, any> },
  field: string,
  expected: string[]
) {
  const bag = response.flashMessages().inputErrorsBag ?? {}
  if (JSON.stringify(bag[field] ?? []) !== JSON.stringify(expected)) {
    throw new Error(`${field}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(bag)}`)
  }
}

const versionClipIds = async (versionId: string) => {
  const rows = await db
    .from('dataset_version_clips')
    .where('dataset_version_id', versionId)
    .orderBy('position')
    .select('clip_id')
  return rows.map((row) => row.clip_id as string)
}

test.group('Datasets: creating and publishing versions', (group) => {
  group.each.setup(isolate)

  test('a creator creates a dataset, picks approved clips and publishes version 1 with a manifest of processed files only', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const first = await approvedClipWithAssets(creator, {
      title: 'Sprint start A',
      durationMs: 12_000,
    })
    const second = await approvedClipWithAssets(
      creator,
      { title: 'Sprint start B', durationMs: 8_500 },
      { frames: 30, people: 3 }
    )

    const created = await client
      .post('/my/datasets')
      .form({
        title: 'Sprint starts',
        description: 'Block starts from the side.',
        sport: 'athletics',
        tags: 'Sprint, start, sprint',
        licenceType: 'research',
        price: '24.99',
      })
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    created.assertStatus(302)
    const dataset = await Dataset.query().where('owner_id', creator.id).firstOrFail()
    assert.equal(created.header('location'), `/my/datasets/${dataset.id}/edit`)
    assert.equal(dataset.status, 'draft')
    assert.equal(dataset.priceCents, 2499)
    assert.deepEqual(dataset.tags, ['sprint', 'start'])
    assert.isFalse(dataset.curated)

    const editor = await client.get(`/my/datasets/${dataset.id}/edit`).loginAs(creator)
    editor.assertStatus(200)
    assert.include(editor.text(), `data-available-clip="${first.id}"`)

    const picked = await client
      .post(`/my/datasets/${dataset.id}/clips`)
      .form({ clips: [first.id, second.id] })
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    picked.assertStatus(302)
    picked.assertFlashMessage('success', '2 clips picked. Publish to make them a new version.')

    const published = await client
      .post(`/my/datasets/${dataset.id}/publish`)
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    published.assertStatus(302)
    published.assertFlashMessage('success', 'Version 1 is published with 2 clips.')

    const version = await DatasetVersion.query().where('dataset_id', dataset.id).firstOrFail()
    assert.equal(version.version, 1)
    assert.equal(version.priceCents, 2499)
    assert.equal(version.currency, 'USD')
    assert.equal(version.licenceType, 'research')
    // 2 + 3 tracked people; frames with anyone in them: every other frame (10 + 15).
    assert.deepEqual(version.stats, {
      clips: 2,
      duration_ms: 20_500,
      people: 5,
      keypoint_frames: 25,
    })

    const manifest = version.manifest as unknown as DatasetManifest
    assert.equal(manifest.format, 1)
    assert.deepEqual(
      manifest.clips.map((clip) => [clip.id, clip.position, clip.seconds]),
      [
        [first.id, 0, 12],
        [second.id, 1, 8.5],
      ]
    )
    assert.equal(
      version.manifestSha256,
      createHash('sha256').update(JSON.stringify(version.manifest)).digest('hex')
    )
    for (const clip of manifest.clips) {
      assert.sameMembers(
        clip.files.map((file) => file.kind),
        ['video', 'keypoints', 'metadata', 'thumbnail']
      )
      for (const file of clip.files) {
        assert.notEqual(file.bucket, 'raw', 'raw footage never enters a manifest')
        assert.notInclude(file.key, 'raw')
        const stored = await storedSha256(file.bucket, file.key)
        assert.equal(file.sha256, stored.sha256, `${file.kind} sha256`)
        assert.equal(file.bytes, stored.bytes, `${file.kind} bytes`)
      }
      assert.deepEqual(Object.fromEntries(clip.files.map((file) => [file.kind, file.path])), {
        video: `videos/${clip.id}.mp4`,
        keypoints: `keypoints/${clip.id}.json`,
        metadata: `metadata/${clip.id}.json`,
        thumbnail: `thumbnails/${clip.id}.jpg`,
      })
    }
    assert.deepEqual(await versionClipIds(version.id), [first.id, second.id])

    await dataset.refresh()
    assert.equal(dataset.status, 'published')
    assert.equal(dataset.latestVersionId, version.id)
    assert.equal(dataset.clipCount, 2)
    assert.equal(dataset.durationMs, 20_500)
    assert.equal(dataset.listedPriceCents, 2499)
    assert.deepEqual(
      dataset.sports,
      [first.sport, second.sport].filter((sport, index, all) => all.indexOf(sport) === index).sort()
    )
  })

  test('adding clips and publishing again makes version 2; version 1 stays as it was', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const first = await approvedClipWithAssets(creator)
    const dataset = await draftDataset(creator)
    const v1 = await publishWith(dataset, creator, [first])
    const before = await DatasetVersion.findOrFail(v1.id)

    const again = await client
      .post(`/my/datasets/${dataset.id}/publish`)
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    again.assertFlashMessage(
      'error',
      'Nothing changed since version 1: add or remove clips, or change the price or licence, then publish.'
    )

    const second = await approvedClipWithAssets(creator)
    await client
      .put(`/my/datasets/${dataset.id}`)
      .form({ title: dataset.title, sport: 'football', licenceType: 'commercial', price: '40' })
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    const v2 = await publishWith(dataset, creator, [first, second])

    assert.equal(v2.version, 2)
    assert.deepEqual(await versionClipIds(v2.id), [first.id, second.id])
    assert.equal(v2.priceCents, 4000)
    assert.equal(v2.licenceType, 'commercial')

    const after = await DatasetVersion.findOrFail(v1.id)
    assert.deepEqual(after.manifest, before.manifest)
    assert.equal(after.manifestSha256, before.manifestSha256)
    assert.deepEqual(after.stats, before.stats)
    assert.equal(after.priceCents, 2500)
    assert.equal(after.licenceType, 'research')
    assert.deepEqual(await versionClipIds(v1.id), [first.id])
    const editor = await client.get(`/my/datasets/${dataset.id}/edit`).loginAs(creator)
    editor.assertStatus(200)
    assert.include(editor.text(), 'data-version="1"')
    assert.include(editor.text(), 'data-version="2"')
    assert.include(editor.text(), `data-picked-clip="${second.id}"`)
    assert.include(editor.text(), 'Publish version 3')
    const listed = await Dataset.findOrFail(dataset.id)
    assert.equal(listed.latestVersionId, v2.id)
    assert.equal(listed.clipCount, 2)
    assert.equal(listed.listedPriceCents, 4000)
  })

  test('withdrawn and rejected clips cannot be picked, and a clip withdrawn after picking is left out of the next version', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const kept = await approvedClipWithAssets(creator, { title: 'Kept clip' })
    const later = await approvedClipWithAssets(creator, { title: 'Withdrawn later' })
    const rejected = await approvedClipWithAssets(creator, { title: 'Rejected clip' })
    await Clip.query()
      .where('id', rejected.id)
      .update({ status: 'rejected', status_reason: 'A face is visible.' })
    const dataset = await draftDataset(creator)

    const refused = await client
      .post(`/my/datasets/${dataset.id}/clips`)
      .form({ clips: [kept.id, rejected.id] })
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    refused.assertFlashMessage(
      'error',
      '“Rejected clip” was rejected in review and cannot enter a dataset.'
    )
    assert.lengthOf(
      await db.from('dataset_clips').where('dataset_id', dataset.id),
      0,
      'nothing changed'
    )

    await client
      .post(`/my/datasets/${dataset.id}/clips`)
      .form({ clips: [kept.id, later.id] })
      .loginAs(creator)
      .withCsrfToken()
    await Clip.query()
      .where('id', later.id)
      .update({ status: 'withdrawn', withdrawn_at: DateTime.now().toJSDate() })

    const published = await client
      .post(`/my/datasets/${dataset.id}/publish`)
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    published.assertFlashMessage('success', 'Version 1 is published with 1 clip.')
    published.assertFlashMessage(
      'info',
      'Left out: “Withdrawn later” was withdrawn by its creator and can no longer enter a dataset version.'
    )
    const version = await DatasetVersion.query().where('dataset_id', dataset.id).firstOrFail()
    assert.deepEqual(await versionClipIds(version.id), [kept.id])
    assert.deepEqual(
      (version.manifest as unknown as DatasetManifest).clips.map((clip) => clip.id),
      [kept.id]
    )

    // With only unusable clips left, nothing is published.
    await Clip.query()
      .where('id', kept.id)
      .update({ status: 'withdrawn', withdrawn_at: DateTime.now().toJSDate() })
    const empty = await client
      .post(`/my/datasets/${dataset.id}/publish`)
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    empty.assertFlashMessage(
      'error',
      'Nothing to publish: none of the picked clips can enter a version. “Kept clip” was withdrawn by its creator and can no longer enter a dataset version.'
    )
    assert.lengthOf(await DatasetVersion.query().where('dataset_id', dataset.id), 1)
  })

  test('a price outside the instance bounds, a sport not offered or a missing licence type is refused and nothing is saved', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const send = (fields: Record<string, string>) =>
      client
        .post('/my/datasets')
        .form({ title: 'Serve drills', sport: 'tennis', licenceType: 'research', ...fields })
        .header('referer', '/my/datasets/new')
        .loginAs(creator)
        .withCsrfToken()
        .redirects(0)

    const cheap = await send({ price: '5' })
    cheap.assertStatus(302)
    fieldErrors(cheap, 'price', [
      'Enter 0 for a free dataset, or a price from 10.00 to 100.00 USD.',
    ])
    const dear = await send({ price: '100.01' })
    fieldErrors(dear, 'price', ['Enter 0 for a free dataset, or a price from 10.00 to 100.00 USD.'])
    const negative = await send({ price: '-3' })
    fieldErrors(negative, 'price', ['A price cannot be negative: enter 0 for a free dataset.'])
    const fraction = await send({ price: '12.345' })
    fieldErrors(fraction, 'price', ['Enter the price in whole cents, like 24.99.'])
    const sport = await send({ price: '20', sport: 'curling' })
    fieldErrors(sport, 'sport', [
      "Choose one of this instance's sports: football, basketball, athletics, tennis, volleyball, rugby, handball, fitness.",
    ])
    const licence = await send({ price: '20', licenceType: 'exclusive' })
    fieldErrors(licence, 'licenceType', ['Choose research or commercial licensing.'])
    assert.lengthOf(await Dataset.query().where('owner_id', creator.id), 0)

    const free = await send({ price: '0' })
    free.assertStatus(302)
    const bounds = await send({ price: '100' })
    bounds.assertStatus(302)
    const datasets = await Dataset.query().where('owner_id', creator.id)
    assert.sameMembers(
      datasets.map((dataset) => dataset.priceCents),
      [0, 10_000]
    )
  })

  test('another creator can neither open, edit, pick clips for nor publish a dataset; an admin curates from several creators', async ({
    client,
    assert,
  }) => {
    const owner = await makeUser('creator')
    const stranger = await makeUser('creator')
    const strangersClip = await approvedClipWithAssets(stranger)
    const ownClip = await approvedClipWithAssets(owner)
    const dataset = await draftDataset(owner, { title: 'Original title' })

    const asStranger = await client.get(`/my/datasets/${dataset.id}/edit`).loginAs(stranger)
    asStranger.assertStatus(403)
    const edit = await client
      .put(`/my/datasets/${dataset.id}`)
      .form({ title: 'Taken over', sport: 'football', licenceType: 'research', price: '20' })
      .loginAs(stranger)
      .withCsrfToken()
      .redirects(0)
    edit.assertFlashMessage('error', 'This dataset belongs to another creator.')
    await client
      .post(`/my/datasets/${dataset.id}/publish`)
      .loginAs(stranger)
      .withCsrfToken()
      .redirects(0)
    await dataset.refresh()
    assert.equal(dataset.title, 'Original title')
    assert.equal(dataset.status, 'draft')

    // The owner cannot slip another creator's clip in either.
    const foreign = await client
      .post(`/my/datasets/${dataset.id}/clips`)
      .form({ clips: [strangersClip.id] })
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    foreign.assertFlashMessage(
      'error',
      `“${strangersClip.title}” belongs to another creator: only admins curate datasets from several creators.`
    )

    const admin = await makeUser('admin')
    await client
      .post('/my/datasets')
      .form({ title: 'Best of the league', licenceType: 'commercial', price: '80' })
      .loginAs(admin)
      .withCsrfToken()
    const curated = await Dataset.query().where('owner_id', admin.id).firstOrFail()
    assert.isTrue(curated.curated)
    assert.isNull(curated.sport)
    const version = await publishWith(curated, admin, [ownClip, strangersClip])
    assert.deepEqual(await versionClipIds(version.id), [ownClip.id, strangersClip.id])
  })

  test('"My datasets" lists the creator’s own datasets; an admin sees every creator’s', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const other = await makeUser('creator')
    const mine = await draftDataset(creator, { title: 'My sprint set' })
    const theirs = await draftDataset(other, { title: 'Their serve set' })

    const own = await client.get('/my/datasets').loginAs(creator)
    own.assertStatus(200)
    assert.include(own.text(), `data-dataset-row="${mine.id}"`)
    assert.notInclude(own.text(), `data-dataset-row="${theirs.id}"`)

    const admin = await client.get('/my/datasets').loginAs(await makeUser('admin'))
    assert.include(admin.text(), `data-dataset-row="${mine.id}"`)
    assert.include(admin.text(), `data-dataset-row="${theirs.id}"`)

    const form = await client.get('/my/datasets/new').loginAs(creator)
    form.assertStatus(200)
    assert.include(form.text(), 'name="price"')
    assert.include(form.text(), '0 for a free dataset, otherwise 10.00 to 100.00 USD.')
  })
})
