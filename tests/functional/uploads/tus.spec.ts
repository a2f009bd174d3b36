import { test } from '@japa/runner'
import { createHash } from 'node:crypto'
import {
  mkdtemp,
  readFile,
  readdir,
  rm,
  truncate as truncateFile,
  copyFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import config from '#config/athera'
import Clip from '#models/clip'
import Upload from '#models/upload'
import { QueueService } from '#app/core/queue_service'
import { StorageService } from '#app/core/storage_service'
import { ConsentRecordFactory } from '#database/factories/consent_record_factory'
import { isolate } from '#tests/helpers/reset'
import { makeUser, TEST_PASSWORD } from '#tests/helpers/users'
import { HttpSession } from '#tests/helpers/http_session'
import { TusClient } from '#tests/helpers/tus'
import { until } from '#tests/helpers/wait'
import {
  ffmpegMake,
  sharedClips,
  sharedImage,
  sharedMediaAvailable,
  SKIP_WITHOUT_MEDIA,
} from '#tests/helpers/media'

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

async function creatorWithConsent() {
  const user = await makeUser('creator')
  const grant = await ConsentRecordFactory.merge({ userId: user.id }).create()
  const session = await HttpSession.login(user.email, TEST_PASSWORD)
  return { user, grant, session, tus: new TusClient(session) }
}

function fields(grantId: number, filename: string, extra: Record<string, string> = {}) {
  return {
    consentId: grantId,
    filename,
    filetype: 'video/mp4',
    title: `Clip ${filename}`,
    sport: 'football',
    ...extra,
  }
}

async function objectBytes(key: string) {
  const storage = await app.container.make(StorageService)
  const chunks: Buffer[] = []
  for await (const chunk of await storage.getStream('raw', key)) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Nothing left behind: no upload row, no clip row, no object, no staged bytes. */
async function assertNothingLeft(assert: any, userId: number) {
  const uploads = await db.from('uploads').where('user_id', userId).whereNot('status', 'cancelled')
  assert.lengthOf(uploads, 0, 'no upload row')
  const clips = await db.from('clips').where('user_id', userId)
  assert.lengthOf(clips, 0, 'no clip row')
  const storage = await app.container.make(StorageService)
  const objects = await storage.list('raw', 'clips/')
  const rows = await db.from('clip_assets').select('key')
  const known = rows.map((row) => row.key)
  assert.deepEqual(
    objects.filter((key) => !known.includes(key)),
    [],
    'no unreferenced object'
  )
  const staged = await readdir(config.uploads.stagingDir).catch(() => [])
  assert.deepEqual(staged, [], 'no staged bytes')
}

/** Objects and staged files outlive a test's rolled-back transaction: start each test clean. */
async function cleanStorage() {
  const storage = await app.container.make(StorageService)
  await storage.empty('raw')
  await rm(config.uploads.stagingDir, { recursive: true, force: true })
}

test.group('Uploads: tus transport', (group) => {
  group.each.setup(isolate)
  group.each.setup(cleanStorage)
  let workdir: string
  group.setup(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'athera-upload-test-'))
    return () => rm(workdir, { recursive: true, force: true })
  })

  test('every shared clip uploads in chunks and is stored byte for byte', async ({ assert }) => {
    const { user, grant, tus } = await creatorWithConsent()
    const queue = await app.container.make(QueueService)
    for (const path of sharedClips()) {
      const data = await readFile(path)
      const { created, last } = await tus.upload(data, fields(grant.id, basename(path)))
      assert.equal(created.status, 201, created.text)
      assert.equal(last!.status, 204, last!.text)
      assert.exists(last!.clipId)

      const clip = await Clip.findOrFail(last!.clipId)
      assert.equal(clip.userId, user.id)
      assert.equal(clip.status, 'uploaded')
      assert.equal(clip.sha256, sha256(data))
      assert.equal(clip.bytes, data.length)
      assert.isAbove(clip.durationMs!, 0)
      assert.isAbove(clip.width!, 0)
      await clip.load('assets')
      assert.lengthOf(clip.assets, 1)
      assert.equal(clip.assets[0].key, `clips/${clip.id}/original`)
      assert.equal(
        sha256(await objectBytes(clip.assets[0].key)),
        sha256(data),
        `${basename(path)} stored exactly`
      )
      const linked = await db
        .from('consent_record_clips')
        .where({ consent_record_id: grant.id, clip_id: clip.id })
        .first()
      assert.exists(linked, 'the clip is covered by the batch consent')
      const job = await queue.queue('process-clip').getJob(`process-clip-${clip.id}`)
      assert.deepEqual(job?.data, { clipId: clip.id }, 'process-clip is enqueued')
    }
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(120_000)

  test('a file larger than one S3 part is stored through the multipart path', async ({
    assert,
    cleanup,
  }) => {
    const logger = await app.container.make('logger')
    const small = new StorageService(
      { ...app.config.get<any>('athera').storage, partSize: 5 * 1024 * 1024 },
      logger
    )
    app.container.swap(StorageService, () => small)
    cleanup(() => app.container.restore(StorageService))

    // Raw frames in Matroska: a valid video of about 11 MB in well under a second.
    const path = await ffmpegMake(join(workdir, 'raw.mkv'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=640x480:rate=25',
      '-t',
      '1',
      '-c:v',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
    ])
    const data = await readFile(path)
    assert.isAbove(data.length, 10 * 1024 * 1024)
    const { tus, grant } = await creatorWithConsent()
    const { last } = await tus.upload(
      data,
      fields(grant.id, 'raw.mkv', { filetype: 'video/x-matroska' }),
      4 * 1024 * 1024
    )
    assert.equal(last!.status, 204, last!.text)
    const clip = await Clip.findOrFail(last!.clipId)
    assert.equal(sha256(await objectBytes(`clips/${clip.id}/original`)), sha256(data))
  }).timeout(60_000)

  test('an interrupted upload resumes from its last byte and the stored file is identical', async ({
    assert,
  }) => {
    const { grant, tus } = await creatorWithConsent()
    const path = sharedClips()[0]
    const data = await readFile(path)
    const created = await tus.create(data.length, fields(grant.id, basename(path)))
    assert.equal(created.status, 201, created.text)

    // The connection drops after 40% of the file was sent in one chunk.
    const sent = Math.floor(data.length * 0.4)
    await tus.patchAndDrop(created.location!, 0, data, sent)
    // The server notices the dropped connection on its own time (a loaded machine takes longer):
    // ask where the upload stands until the bytes that arrived are counted.
    let status = 0
    let offset = 0
    await until(async () => {
      ;({ status, offset } = await tus.head(created.location!))
      return offset > 0
    }, 10_000)
    assert.equal(status, 200)
    assert.isAbove(offset, 0, 'the bytes that arrived were kept')
    assert.isAtMost(offset, sent)

    // A page reload later: the client asks where it stands and sends the rest.
    const last = await tus.patch(created.location!, offset, data.subarray(offset))
    assert.equal(last.status, 204, last.text)
    const clip = await Clip.findOrFail(last.clipId)
    assert.equal(clip.sha256, sha256(data))
    assert.equal(sha256(await objectBytes(`clips/${clip.id}/original`)), sha256(data))
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(60_000)

  test('a chunk at the wrong offset is refused with 409 and changes nothing', async ({
    assert,
  }) => {
    const { grant, tus } = await creatorWithConsent()
    const created = await tus.create(1000, fields(grant.id, 'a.mp4'))
    const wrong = await tus.patch(created.location!, 500, Buffer.alloc(10))
    assert.equal(wrong.status, 409)
    const response = await tus.head(created.location!)
    assert.equal(response.offset, 0)
  })

  test("another creator's upload does not exist for you", async ({ assert }) => {
    const owner = await creatorWithConsent()
    const created = await owner.tus.create(1000, fields(owner.grant.id, 'mine.mp4'))
    const other = await creatorWithConsent()
    const response = await other.tus.head(created.location!)
    assert.equal(response.status, 404)
    const otherPatch = await other.tus.patch(created.location!, 0, Buffer.alloc(10))
    assert.equal(otherPatch.status, 404)
    const otherRemove = await other.tus.remove(created.location!)
    assert.equal(otherRemove.status, 404)
    const ownerHead = await owner.tus.head(created.location!)
    assert.equal(ownerHead.status, 200)
  })

  test('cancelling an upload forgets its bytes', async ({ assert }) => {
    const { grant, tus } = await creatorWithConsent()
    const created = await tus.create(1000, fields(grant.id, 'gone.mp4'))
    await tus.patch(created.location!, 0, Buffer.alloc(100))
    const response = await tus.remove(created.location!)
    assert.equal(response.status, 204)
    const afterRemove = await tus.head(created.location!)
    assert.equal(afterRemove.status, 410)
    const staged = await readdir(config.uploads.stagingDir).catch(() => [])
    assert.deepEqual(staged, [])
  })

  test('a duplicate of an uploaded clip is reported and not stored twice', async ({ assert }) => {
    const { user, grant, tus } = await creatorWithConsent()
    const path = sharedClips()[0]
    const data = await readFile(path)
    const first = await tus.upload(data, fields(grant.id, basename(path), { title: 'First take' }))
    assert.equal(first.last!.status, 204)
    const again = await tus.upload(data, fields(grant.id, 'copy.mp4'))
    assert.equal(again.last!.status, 409)
    assert.match(again.last!.text, /You already uploaded this video as “First take”/)
    const clips = await db.from('clips').where('user_id', user.id)
    assert.lengthOf(clips, 1)
    const storage = await app.container.make(StorageService)
    assert.lengthOf(await storage.list('raw', 'clips/'), 1)
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(60_000)
})

test.group('Uploads: bad input is refused and leaves nothing', (group) => {
  group.each.setup(isolate)
  group.each.setup(cleanStorage)
  let workdir: string
  group.setup(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'athera-upload-bad-'))
    return () => rm(workdir, { recursive: true, force: true })
  })

  test('a text file renamed .mp4', async ({ assert }) => {
    const { user, grant, tus } = await creatorWithConsent()
    const data = Buffer.from('This is a shopping list, not a video.\n'.repeat(50))
    const { last } = await tus.upload(data, fields(grant.id, 'holiday.mp4'))
    assert.equal(last!.status, 415)
    assert.equal(
      last!.text,
      'This file is not a supported video: upload MP4, MOV, MKV, WebM or AVI.'
    )
    await assertNothingLeft(assert, user.id)
  })

  test('a truncated mp4', async ({ assert }) => {
    const { user, grant, tus } = await creatorWithConsent()
    const copy = join(workdir, 'truncated.mp4')
    await copyFile(sharedClips()[0], copy)
    const bytes = await readFile(copy)
    const full = bytes.length
    await truncateFile(copy, Math.floor(full * 0.6))
    const { last } = await tus.upload(await readFile(copy), fields(grant.id, 'truncated.mp4'))
    assert.equal(last!.status, 422)
    assert.match(last!.text, /truncated|corrupt/)
    await assertNothingLeft(assert, user.id)
  }).skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)

  test('a 0-byte file', async ({ assert }) => {
    const { user, grant, tus } = await creatorWithConsent()
    const created = await tus.create(0, fields(grant.id, 'empty.mp4'))
    assert.equal(created.status, 400)
    assert.equal(created.text, 'The file is empty (0 bytes).')
    await assertNothingLeft(assert, user.id)
  })

  test('an image', async ({ assert }) => {
    const { user, grant, tus } = await creatorWithConsent()
    const { last } = await tus.upload(await readFile(sharedImage()), fields(grant.id, 'match.mp4'))
    assert.equal(last!.status, 415)
    assert.equal(last!.text, 'This file is a JPEG image, not a video.')
    await assertNothingLeft(assert, user.id)
  }).skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)

  test('an audio-only file', async ({ assert }) => {
    const { user, grant, tus } = await creatorWithConsent()
    const path = await ffmpegMake(join(workdir, 'audio.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=3',
      '-c:a',
      'aac',
    ])
    const { last } = await tus.upload(await readFile(path), fields(grant.id, 'audio.mp4'))
    assert.equal(last!.status, 422)
    assert.equal(last!.text, 'The file has no video stream (is it audio only?).')
    await assertNothingLeft(assert, user.id)
  })

  test('a file over the size limit', async ({ assert }) => {
    await db
      .table('settings')
      .insert({ key: 'upload_max_bytes', value: JSON.stringify(1_000_000), updated_at: new Date() })
    const { user, grant, tus } = await creatorWithConsent()
    const created = await tus.create(5_000_000, fields(grant.id, 'big.mp4'))
    assert.equal(created.status, 413)
    assert.equal(
      created.text,
      'The file is 5.0 MB; the largest upload this instance accepts is 1.0 MB.'
    )
    await assertNothingLeft(assert, user.id)
  })

  test('an upload over the creator quota', async ({ assert }) => {
    await db.table('settings').insert({
      key: 'creator_quota_bytes',
      value: JSON.stringify(2_000_000),
      updated_at: new Date(),
    })
    const { user, grant, tus } = await creatorWithConsent()
    const created = await tus.create(3_000_000, fields(grant.id, 'quota.mp4'))
    assert.equal(created.status, 413)
    assert.match(created.text, /over your quota of 2\.0 MB/)
    await assertNothingLeft(assert, user.id)
  })

  test('a path-traversal file name', async ({ assert }) => {
    const { user, grant, tus } = await creatorWithConsent()
    const created = await tus.create(1000, fields(grant.id, '../../etc/passwd.mp4'))
    assert.equal(created.status, 400)
    assert.match(created.text, /The file name “..\/..\/etc\/passwd.mp4” is not allowed/)
    await assertNothingLeft(assert, user.id)
  })

  test('no consent', async ({ assert }) => {
    const { user, tus } = await creatorWithConsent()
    const missing = await tus.create(1000, {
      filename: 'a.mp4',
      title: 'No consent',
      sport: 'football',
    })
    assert.equal(missing.status, 400)
    const someoneElses = await ConsentRecordFactory.create()
    const foreign = await tus.create(1000, fields(someoneElses.id, 'a.mp4'))
    assert.equal(foreign.status, 403)
    await assertNothingLeft(assert, user.id)
  })

  test('a buyer uploading', async ({ assert }) => {
    const buyer = await makeUser('buyer')
    const session = await HttpSession.login(buyer.email, TEST_PASSWORD)
    const created = await new TusClient(session).create(1000, {
      filename: 'a.mp4',
      title: 'Buyer',
      sport: 'football',
      consentId: 1,
    })
    assert.equal(created.status, 403)
    assert.lengthOf(await Upload.query().where('user_id', buyer.id), 0)
  })

  test('a missing CSRF token', async ({ assert }) => {
    const { user, grant, tus } = await creatorWithConsent()
    const created = await tus.create(1000, fields(grant.id, 'a.mp4'), { csrf: false })
    assert.notEqual(created.status, 201)
    await assertNothingLeft(assert, user.id)
  })
})
