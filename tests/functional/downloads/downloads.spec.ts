import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { rm } from 'node:fs/promises'
import { DateTime } from 'luxon'
import DatasetVersion from '#models/dataset_version'
import Download from '#models/download'
import { LicenceLibraryService } from '#app/licences/licence_library_service'
import { StorageService } from '#app/core/storage_service'
import { isolate } from '#tests/helpers/reset'
import { HttpSession } from '#tests/helpers/http_session'
import { TEST_PASSWORD, makeUser } from '#tests/helpers/users'
import {
  checkSums,
  licenceFor,
  publishedVersion,
  sha256,
  unzip,
  withdraw,
} from '#tests/helpers/exports'

async function asBuyer() {
  const buyer = await makeUser('buyer')
  const session = await HttpSession.login(buyer.email, TEST_PASSWORD)
  return { buyer, session }
}

async function body(response: Response) {
  return Buffer.from(await response.arrayBuffer())
}

test.group('Downloads: the streamed ZIP', (group) => {
  group.each.setup(isolate)

  test('the buyer downloads the ZIP: every file matches SHA256SUMS and the manifest, no raw footage', async ({
    assert,
    cleanup,
  }) => {
    const published = await publishedVersion({ clips: 3 })
    const { buyer, session } = await asBuyer()
    const licence = await licenceFor(buyer, published.version)

    const response = await session.fetch(`/licences/${licence.id}/download.zip`)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'application/zip')
    assert.match(
      response.headers.get('content-disposition') ?? '',
      /attachment; filename=".+-v1\.zip"/
    )
    const { dir, out, files } = await unzip(await body(response))
    cleanup(() => rm(dir, { recursive: true, force: true }))

    const sums = await checkSums(out)
    assert.notInclude(sums, 'FAILED')
    const listed = files
      .get('SHA256SUMS')!
      .toString()
      .trim()
      .split('\n')
      .map((line) => line.split('  ')[1])
    assert.sameMembers(
      listed,
      [...files.keys()].filter((name) => name !== 'SHA256SUMS'),
      'SHA256SUMS covers every other file'
    )

    for (const [path, data] of published.contents) {
      assert.isTrue(files.has(path), `${path} is in the ZIP`)
      assert.equal(sha256(files.get(path)!), sha256(data), `${path} matches the manifest`)
    }
    assert.sameMembers(
      [...files.keys()],
      [
        ...published.contents.keys(),
        'LICENCE.md',
        'README.md',
        'croissant.json',
        'metadata.jsonl',
        'SHA256SUMS',
      ]
    )
    // The licence text the licence cites, byte for byte.
    assert.equal(sha256(files.get('LICENCE.md')!), licence.termsSha256)

    const lines = files
      .get('metadata.jsonl')!
      .toString()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    assert.deepEqual(
      lines.map((line) => line.file_name),
      published.clips.map((clip) => `videos/${clip.id}.mp4`)
    )
    assert.equal(lines[0].clip_id, published.clips[0].id)
    assert.equal(lines[0].sport, published.clips[0].sport)
    assert.equal(lines[0].keypoints_file, `keypoints/${published.clips[0].id}.json`)

    const croissant = JSON.parse(files.get('croissant.json')!.toString())
    assert.equal(croissant['@type'], 'sc:Dataset')
    assert.equal(croissant.conformsTo, 'http://mlcommons.org/croissant/1.0')
    assert.equal(croissant['@context'].rai, 'http://mlcommons.org/croissant/RAI/')
    for (const key of [
      'rai:dataCollection',
      'rai:personalSensitiveInformation',
      'rai:dataUseCases',
      'rai:dataAnnotationProtocol',
    ]) {
      assert.isString(croissant[key], key)
      assert.isAbove(croissant[key].length, 20, key)
    }
    assert.include(croissant['rai:dataCollection'], '3 clips')
    const jsonl = croissant.distribution.find(
      (item: { name: string }) => item.name === 'metadata.jsonl'
    )
    assert.equal(jsonl.sha256, sha256(files.get('metadata.jsonl')!))
    assert.includeMembers(
      croissant.recordSet[0].field.map((field: { name: string }) => field.name),
      ['file_name', 'clip_id', 'sport', 'duration_ms']
    )

    const readme = files.get('README.md')!.toString()
    assert.include(readme, '## How it was anonymized')
    assert.include(readme, '## Licence')
    assert.include(readme, licence.id)
    assert.include(readme, '## Citation')
    assert.include(readme, published.version.manifestSha256)

    const downloads = await Download.query().where('licence_id', licence.id)
    assert.deepEqual(
      downloads.map((row) => [row.kind, row.userId]),
      [['zip', buyer.id]]
    )
    assert.isNotNull(downloads[0].userAgent)
  })

  test('a stored object that no longer matches its manifest sha256 fails the download', async ({
    assert,
  }) => {
    const published = await publishedVersion({ clips: 2 })
    const { buyer, session } = await asBuyer()
    const licence = await licenceFor(buyer, published.version)
    const storage = await app.container.make(StorageService)
    const [path, object] = [...published.objects].find(([name]) => name.startsWith('keypoints/'))!
    const tampered = Buffer.from(
      published.contents.get(path)!.toString().replace('keypoints', 'KEYPOINTS')
    )
    await storage.putStream(object.bucket, object.key, tampered, tampered.length)

    const response = await session.fetch(`/licences/${licence.id}/download.zip`)
    assert.equal(response.status, 200, 'the stream had started')
    await assert.rejects(() => response.arrayBuffer())
    // The attempt is on record all the same.
    const downloads = await Download.query().where('licence_id', licence.id).where('kind', 'zip')
    assert.equal(downloads.length, 1)
  })

  test('a missing object fails the download instead of leaving a file out', async ({ assert }) => {
    const published = await publishedVersion({ clips: 2 })
    const { buyer, session } = await asBuyer()
    const licence = await licenceFor(buyer, published.version)
    const storage = await app.container.make(StorageService)
    const [, object] = [...published.objects].find(([name]) => name.startsWith('videos/'))!
    await storage.remove(object.bucket, object.key)

    const response = await session.fetch(`/licences/${licence.id}/download.zip`)
    await assert.rejects(() => response.arrayBuffer())
  })

  test('withdrawn clips are left out of the ZIP, which still checks, and named in its README', async ({
    assert,
    cleanup,
  }) => {
    const published = await publishedVersion({ clips: 2 })
    const { buyer, session } = await asBuyer()
    const licence = await licenceFor(buyer, published.version)
    const [gone, kept] = published.clips
    await withdraw(gone, published)

    const response = await session.fetch(`/licences/${licence.id}/download.zip`)
    const { dir, out, files } = await unzip(await body(response))
    cleanup(() => rm(dir, { recursive: true, force: true }))
    await checkSums(out)
    assert.isFalse([...files.keys()].some((name) => name.includes(gone.id) && name !== 'README.md'))
    assert.isTrue(files.has(`videos/${kept.id}.mp4`))
    assert.include(files.get('README.md')!.toString(), `## Withdrawn clips`)
    assert.include(files.get('README.md')!.toString(), gone.id)
    assert.notInclude(files.get('metadata.jsonl')!.toString(), gone.id)
  })
})

test.group('Downloads: the manifest of presigned links', (group) => {
  group.each.setup(isolate)

  test('lists every file with a fresh link whose bytes match its sha256, and is logged', async ({
    assert,
  }) => {
    const published = await publishedVersion({ clips: 2 })
    const { buyer, session } = await asBuyer()
    const licence = await licenceFor(buyer, published.version)

    const response = await session.fetch(`/licences/${licence.id}/manifest.json`)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('cache-control'), 'no-store')
    const manifest = await response.json()
    const expiresIn = DateTime.fromISO(manifest.expires_at).diffNow().as('seconds')
    assert.approximately(expiresIn, 15 * 60, 30)
    assert.sameMembers(
      manifest.files.map((file: { path: string }) => file.path),
      [...published.contents.keys()]
    )
    for (const file of manifest.files) {
      assert.notInclude(file.url, '/raw/')
      for (const rawKey of published.rawKeys) assert.notInclude(file.url, rawKey)
      const object = await fetch(file.url)
      assert.equal(object.status, 200, file.path)
      const data = await body(object)
      assert.equal(data.length, file.bytes)
      assert.equal(sha256(data), file.sha256)
      assert.equal(file.sha256, sha256(published.contents.get(file.path)!))
    }

    // Signatures carry the second they were made: a later request gets links made then.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const fetchedAgain = await session.fetch(`/licences/${licence.id}/manifest.json`)
    const again = await fetchedAgain.json()
    const signedAt = (url: string) => new URL(url).searchParams.get('X-Amz-Date')
    assert.notEqual(
      signedAt(again.files[0].url),
      signedAt(manifest.files[0].url),
      'links are issued again on each request'
    )
    assert.isAbove(Date.parse(again.expires_at), Date.parse(manifest.expires_at))
    const downloads = await Download.query().where('licence_id', licence.id).orderBy('id')
    assert.deepEqual(
      downloads.map((row) => row.kind),
      ['manifest', 'manifest']
    )
  })

  test('an expired presigned link is refused by the S3 server; a valid one works', async ({
    assert,
  }) => {
    const published = await publishedVersion({ clips: 1 })
    const buyer = await makeUser('buyer')
    const licence = await licenceFor(buyer, published.version)
    const library = await app.container.make(LicenceLibraryService)

    const shortLived = await library.manifest(licence, 1)
    await new Promise((resolve) => setTimeout(resolve, 2500))
    const expired = await fetch(shortLived.files[0].url)
    assert.equal(expired.status, 403)
    assert.include(await expired.text(), 'Request has expired')

    const fresh = await library.manifest(licence)
    const valid = await fetch(fresh.files[0].url)
    assert.equal(valid.status, 200)
    assert.equal(sha256(await body(valid)), fresh.files[0].sha256)
  }).timeout(20_000)

  test('withdrawn clips get no links and are listed for deletion', async ({ assert }) => {
    const published = await publishedVersion({ clips: 2 })
    const { buyer, session } = await asBuyer()
    const licence = await licenceFor(buyer, published.version)
    await withdraw(published.clips[0], published)

    const response = await session.fetch(`/licences/${licence.id}/manifest.json`)
    const manifest = await response.json()
    assert.isFalse(
      manifest.files.some((file: { path: string }) => file.path.includes(published.clips[0].id))
    )
    assert.lengthOf(manifest.files, 4)
    assert.lengthOf(manifest.withdrawn, 1)
    assert.equal(manifest.withdrawn[0].clip_id, published.clips[0].id)
    assert.include(manifest.withdrawn[0].delete_paths, `videos/${published.clips[0].id}.mp4`)
  })
})

test.group('Downloads: who may download', (group) => {
  group.each.setup(isolate)

  test('a buyer without a licence gets 403 for the manifest and the ZIP, and nothing is logged', async ({
    assert,
  }) => {
    const published = await publishedVersion({ clips: 1, store: false })
    const holder = await makeUser('buyer')
    const licence = await licenceFor(holder, published.version)
    const { session } = await asBuyer()

    for (const path of ['manifest.json', 'download.zip']) {
      const response = await session.fetch(`/licences/${licence.id}/${path}`, {
        headers: { accept: 'application/json' },
      })
      assert.equal(response.status, 403, path)
      assert.notInclude(await response.text(), 'amazonaws')
    }
    assert.lengthOf(await Download.query().where('licence_id', licence.id), 0)
  })

  test('a revoked licence gets 403 for the manifest and the ZIP', async ({ assert }) => {
    const published = await publishedVersion({ clips: 1, store: false })
    const { buyer, session } = await asBuyer()
    const licence = await licenceFor(buyer, published.version, {
      revokedAt: DateTime.now(),
      revokeReason: 'Refunded.',
    })

    for (const path of ['manifest.json', 'download.zip']) {
      const response = await session.fetch(`/licences/${licence.id}/${path}`, {
        headers: { accept: 'text/html' },
      })
      assert.equal(response.status, 403, path)
      assert.include(await response.text(), 'This licence was revoked on')
    }
    assert.lengthOf(await Download.query().where('licence_id', licence.id), 0)
  })

  test('the creator of the clips and anonymous visitors cannot download', async ({ assert }) => {
    const creator = await makeUser('creator')
    const published = await publishedVersion({ clips: 1, creator, store: false })
    const licence = await licenceFor(await makeUser('buyer'), published.version)
    const creatorSession = await HttpSession.login(creator.email, TEST_PASSWORD)
    const anonymous = new HttpSession()

    for (const path of ['manifest.json', 'download.zip']) {
      const refused = await creatorSession.fetch(`/licences/${licence.id}/${path}`)
      assert.equal(refused.status, 403)
      const response = await anonymous.fetch(`/licences/${licence.id}/${path}`)
      assert.equal(response.status, 302)
      assert.equal(response.headers.get('location'), '/login')
    }
  })

  test('an unknown licence is a 404', async ({ assert }) => {
    const { session } = await asBuyer()
    const response = await session.fetch(
      '/licences/00000000-0000-4000-8000-000000000000/manifest.json'
    )
    assert.equal(response.status, 404)
    const malformed = await session.fetch('/licences/not-a-uuid')
    assert.equal(malformed.status, 404)
  })
})

test.group('Downloads: a manifest that cannot be served', (group) => {
  group.each.setup(isolate)

  test('a manifest naming raw footage is refused with a sentence (409), never a 500 or a link', async ({
    assert,
  }) => {
    const published = await publishedVersion({ clips: 1, store: false })
    const clip = published.clips[0]
    const manifest = {
      format: 1,
      clips: [
        {
          id: clip.id,
          position: 0,
          seconds: 1,
          title: clip.title,
          sport: clip.sport,
          duration_ms: 1000,
          files: [
            {
              kind: 'video',
              bucket: 'raw',
              key: published.rawKeys[0],
              bytes: 2048,
              sha256: 'a'.repeat(64),
              path: `videos/${clip.id}.mp4`,
            },
          ],
        },
      ],
    }
    const version = await DatasetVersion.create({
      datasetId: published.version.datasetId,
      version: 2,
      manifest,
      manifestSha256: sha256(JSON.stringify(manifest)),
      stats: { clips: 1, duration_ms: 1000, people: 1, keypoint_frames: 0 },
      priceCents: 0,
      currency: 'USD',
      licenceType: 'research',
    })
    const { buyer, session } = await asBuyer()
    const licence = await licenceFor(buyer, version)

    for (const path of ['', '/manifest.json', '/download.zip']) {
      const response = await session.fetch(`/licences/${licence.id}${path}`, {
        headers: { accept: 'text/html' },
      })
      assert.equal(response.status, 409, path || 'page')
      const text = await response.text()
      assert.include(text, 'cannot be delivered')
      assert.notInclude(text, published.rawKeys[0])
    }
    assert.lengthOf(await Download.query().where('licence_id', licence.id), 0)
  })
})
