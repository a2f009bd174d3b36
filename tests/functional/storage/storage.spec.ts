import { test } from '@japa/runner'
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import { BUCKETS, StorageService } from '#app/core/storage_service'

async function readAll(stream: Readable) {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

test.group('Object storage', () => {
  test('the three private buckets exist after boot', async ({ assert }) => {
    const storage = await app.container.make(StorageService)
    await storage.ensureBuckets()
    await storage.ping()
    assert.deepEqual([...BUCKETS], ['raw', 'processed', 'previews'])
    assert.equal(storage.bucket('raw'), 'athera-test-raw')
  })

  test('an object streamed in comes back byte for byte', async ({ assert }) => {
    const storage = await app.container.make(StorageService)
    const body = randomBytes(3 * 1024 * 1024 + 17)
    await storage.putStream(
      'processed',
      'clips/test/video.mp4',
      Readable.from([body]),
      body.length,
      {
        'Content-Type': 'video/mp4',
      }
    )

    const stat = await storage.stat('processed', 'clips/test/video.mp4')
    assert.equal(stat!.size, body.length)
    const back = await readAll(await storage.getStream('processed', 'clips/test/video.mp4'))
    assert.equal(
      createHash('sha256').update(back).digest('hex'),
      createHash('sha256').update(body).digest('hex')
    )

    const range = await readAll(
      await storage.getStream('processed', 'clips/test/video.mp4', { offset: 10, length: 100 })
    )
    assert.deepEqual(range, body.subarray(10, 110))

    await storage.remove('processed', 'clips/test/video.mp4')
    assert.isNull(await storage.stat('processed', 'clips/test/video.mp4'))
  })

  // s3rver serves anonymous GETs, so bucket privacy itself is MinIO's default and is not
  // provable here; what the app controls is that every URL it hands out is signed and short.
  test('a presigned GET URL expires and downloads the object', async ({ assert }) => {
    const storage = await app.container.make(StorageService)
    await storage.putStream('previews', 'clips/test/thumb.jpg', Buffer.from('jpeg bytes'), 10)

    const url = await storage.presignedGet('previews', 'clips/test/thumb.jpg', 60, 'thumb.jpg')
    assert.match(url, /X-Amz-Expires=60/)
    const signed = await fetch(url)
    assert.equal(signed.status, 200)
    assert.equal(await signed.text(), 'jpeg bytes')
    assert.match(
      signed.headers.get('content-disposition') ?? '',
      /attachment; filename="thumb.jpg"/
    )
  })

  test('a presigned PUT uploads without credentials', async ({ assert }) => {
    const storage = await app.container.make(StorageService)
    const url = await storage.presignedPut('raw', 'uploads/test/original.bin', 60)
    const put = await fetch(url, { method: 'PUT', body: 'raw footage' })
    assert.equal(put.status, 200)
    const back = await readAll(await storage.getStream('raw', 'uploads/test/original.bin'))
    assert.equal(back.toString(), 'raw footage')
  })

  test('putFile sends a large file as an S3 multipart upload, one part in memory at a time', async ({
    assert,
  }) => {
    const logger = await app.container.make('logger')
    const config = app.config.get<any>('athera').storage
    const storage = new StorageService({ ...config, partSize: 5 * 1024 * 1024 }, logger)
    const dir = await mkdtemp(join(tmpdir(), 'athera-put-'))
    const path = join(dir, 'big.bin')
    const body = randomBytes(11 * 1024 * 1024 + 3)
    await writeFile(path, body)

    const result = await storage.putFile(
      'raw',
      'clips/multipart/original',
      path,
      'application/octet-stream'
    )
    assert.deepEqual(result, { size: body.length, parts: 3 })
    const back = await readAll(await storage.getStream('raw', 'clips/multipart/original'))
    assert.isTrue(back.equals(body))

    const single = await storage
      .putFile('raw', 'clips/single/original', path.replace('big', 'small'), 'text/plain')
      .catch((error) => error)
    assert.instanceOf(single, Error, 'a missing file is an error, not an empty object')
    await writeFile(join(dir, 'small.bin'), 'tiny')
    assert.deepEqual(
      await storage.putFile('raw', 'clips/single/original', join(dir, 'small.bin'), 'text/plain'),
      { size: 4, parts: 1 }
    )
    await rm(dir, { recursive: true, force: true })
  })

  test('presigned URLs are signed for the public address when one is configured', async ({
    assert,
  }) => {
    const logger = await app.container.make('logger')
    const config = app.config.get<any>('athera').storage
    const storage = new StorageService(
      { ...config, publicUrl: 'https://media.club.example' },
      logger
    )
    const url = new URL(await storage.presignedGet('processed', 'clips/x/video.mp4', 120))
    assert.equal(url.host, 'media.club.example')
    assert.equal(url.pathname, `/${storage.bucket('processed')}/clips/x/video.mp4`)
    assert.equal(url.searchParams.get('X-Amz-Expires'), '120')
  })
})
