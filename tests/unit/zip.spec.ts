import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type ZipEntry, bufferEntry, zipChunks } from '#app/core/zip_stream'
import { ZIP32_LIMIT, centralHeader, endOfArchive } from '#app/core/zip_records'

const run = promisify(execFile)

/** Archive integrity by the system's unzip, or python's zipfile where unzip is missing. */
async function testArchive(path: string) {
  try {
    const { stdout } = await run('unzip', ['-t', path], {
      maxBuffer: 16 * 1024 * 1024,
      timeout: 60_000,
    })
    return stdout
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    const { stdout } = await run('python3', ['-m', 'zipfile', '-t', path], { timeout: 60_000 })
    if (stdout.includes('corrupted')) throw new Error(stdout)
    return `No errors detected\n${stdout}`
  }
}

/** Each entry's name, stored size, method and content hash, as python's zipfile reads them. */
async function pythonListing(path: string, read?: string[]) {
  const script = `
import hashlib, json, sys, zipfile
read = json.loads(sys.argv[2])
with zipfile.ZipFile(sys.argv[1]) as archive:
    print(json.dumps([{"name": i.filename, "size": i.file_size, "method": i.compress_type, "utf8": bool(i.flag_bits & 0x800),
      "sha256": hashlib.sha256(archive.read(i.filename)).hexdigest() if read is None or i.filename in read else None}
      for i in archive.infolist()]))`
  const { stdout } = await run('python3', ['-c', script, path, JSON.stringify(read ?? null)], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60_000,
  })
  return JSON.parse(stdout) as {
    name: string
    size: number
    method: number
    utf8: boolean
    sha256: string | null
  }[]
}

async function collect(entries: ZipEntry[]) {
  const chunks: Buffer[] = []
  for await (const chunk of zipChunks(entries, { mtime: new Date('2026-03-04T05:06:08Z') }))
    chunks.push(chunk)
  return Buffer.concat(chunks)
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

/** A source that yields `chunks` pieces of one shared buffer, as a storage stream would. */
async function* pieces(buffer: Buffer, size: number) {
  for (let offset = 0; offset < buffer.length; offset += size)
    yield buffer.subarray(offset, offset + size)
}

test.group('ZIP writer', (group) => {
  let work: string
  group.setup(async () => {
    work = await mkdtemp(join(tmpdir(), 'athera-zip-'))
    return () => rm(work, { recursive: true, force: true })
  })

  test('stored, deflated, empty and non-ASCII entries pass unzip -t and read back byte for byte', async ({
    assert,
  }) => {
    const video = randomBytes(300_000)
    const json = Buffer.from(
      JSON.stringify({ frames: Array.from({ length: 2000 }, (_, i) => ({ i, x: i / 7 })) })
    )
    const entries: ZipEntry[] = [
      {
        name: 'videos/clip.mp4',
        method: 'store',
        size: video.length,
        open: () => pieces(video, 65_536),
      },
      { name: 'keypoints/clip.json', method: 'deflate', open: () => pieces(json, 10_000) },
      bufferEntry('metadata/Ñandú — été 東京.json', '{"sport":"fútbol"}'),
      bufferEntry('empty.txt', ''),
    ]
    const archive = await collect(entries)
    const path = join(work, 'small.zip')
    await writeFile(path, archive)

    const report = await testArchive(path)
    assert.include(report, 'No errors detected')

    const listing = await pythonListing(path)
    assert.deepEqual(
      listing.map((item) => item.name),
      ['videos/clip.mp4', 'keypoints/clip.json', 'metadata/Ñandú — été 東京.json', 'empty.txt']
    )
    assert.isTrue(
      listing.every((item) => item.utf8),
      'names carry the UTF-8 flag'
    )
    assert.deepEqual(
      listing.map((item) => item.method),
      [0, 8, 8, 8]
    )
    assert.equal(listing[0].sha256, sha256(video))
    assert.equal(listing[1].sha256, sha256(json))
    assert.equal(listing[2].sha256, sha256(Buffer.from('{"sport":"fútbol"}')))
    assert.equal(listing[3].size, 0)
    // Deflate did compress the repetitive JSON.
    assert.isBelow(archive.length, video.length + json.length / 2)
  })

  test('an entry whose verify check fails aborts the archive, leaving a file unzip refuses', async ({
    assert,
  }) => {
    const good = randomBytes(50_000)
    const chunks: Buffer[] = []
    const entries: ZipEntry[] = [
      {
        name: 'a.bin',
        method: 'store',
        open: () => pieces(good, 8192),
        verify: (r) => assert.equal(r.sha256, sha256(good)),
      },
      {
        name: 'b.bin',
        method: 'store',
        open: () => pieces(good, 8192),
        verify: () => {
          throw new Error('E_SHA256_MISMATCH')
        },
      },
      bufferEntry('c.txt', 'never written'),
    ]
    await assert.rejects(async () => {
      for await (const chunk of zipChunks(entries)) chunks.push(chunk)
    }, /E_SHA256_MISMATCH/)
    const path = join(work, 'aborted.zip')
    await writeFile(path, Buffer.concat(chunks))
    await assert.rejects(() => testArchive(path))
  })

  test('unsafe and duplicate names are refused', async ({ assert }) => {
    for (const name of ['../evil', '/abs', 'a//b', 'a\\b', '']) {
      await assert.rejects(() => collect([bufferEntry(name, 'x')]), /E_ZIP_NAME/)
    }
    await assert.rejects(
      () => collect([bufferEntry('a', 'x'), bufferEntry('a', 'y')]),
      /E_ZIP_DUPLICATE/
    )
  })

  test('header writers move sizes and offsets past 4 GiB into ZIP64 fields', ({ assert }) => {
    const name = Buffer.from('videos/big.mp4')
    const base = { name, method: 0, flags: 0x0808, dosTime: 0, dosDate: 0, crc32: 0x12345678 }
    const small = centralHeader({
      ...base,
      size: 10,
      compressedSize: 10,
      offset: 100,
      zip64Local: false,
    })
    assert.equal(small.readUInt16LE(30), 0, 'no extra field below the limits')
    assert.equal(small.readUInt32LE(42), 100)

    const offset = 5 * 1024 ** 3
    const far = centralHeader({ ...base, size: 10, compressedSize: 10, offset, zip64Local: false })
    assert.equal(far.readUInt32LE(42), ZIP32_LIMIT)
    assert.equal(far.readUInt32LE(24), 10, 'a small size stays in place')
    assert.equal(far.readUInt16LE(6), 45, 'version needed 4.5')
    const extra = far.subarray(46 + name.length)
    assert.equal(extra.readUInt16LE(0), 0x0001)
    assert.equal(extra.readUInt16LE(2), 8, 'only the offset moves')
    assert.equal(Number(extra.readBigUInt64LE(4)), offset)

    const big = 6 * 1024 ** 3
    const huge = centralHeader({
      ...base,
      size: big,
      compressedSize: big,
      offset,
      zip64Local: true,
    })
    const hugeExtra = huge.subarray(46 + name.length)
    assert.equal(hugeExtra.readUInt16LE(2), 24, 'size, compressed size, offset')
    assert.deepEqual(
      [0, 1, 2].map((i) => Number(hugeExtra.readBigUInt64LE(4 + i * 8))),
      [big, big, offset]
    )

    const classic = endOfArchive(3, 200, 1000)
    assert.equal(classic.length, 22)
    const end = endOfArchive(3, 200, offset)
    assert.equal(end.length, 56 + 20 + 22)
    assert.equal(end.readUInt32LE(0), 0x06064b50)
    assert.equal(Number(end.readBigUInt64LE(48)), offset)
    assert.equal(end.readUInt32LE(56), 0x07064b50)
    assert.equal(
      Number(end.readBigUInt64LE(64)),
      offset + 200,
      'the locator points at the ZIP64 end record'
    )
    assert.equal(end.readUInt32LE(76 + 16), ZIP32_LIMIT)
  })

  test('a 4 GiB + 1 entry and one after it (offset past 4 GiB) pass unzip -t', async ({
    assert,
  }) => {
    // The big entry is zeros written as holes in a sparse file: nothing is stored on disk.
    const zero = Buffer.alloc(4 * 1024 * 1024)
    const bigSize = ZIP32_LIMIT + 2
    async function* zeros() {
      let left = bigSize
      while (left > 0) {
        const take = Math.min(left, zero.length)
        yield take === zero.length ? zero : zero.subarray(0, take)
        left -= take
      }
    }
    const tail = Buffer.from('after the big one\n')
    const entries: ZipEntry[] = [
      bufferEntry('first.txt', 'before'),
      { name: 'big.bin', method: 'store', size: bigSize, open: zeros },
      bufferEntry('tail.txt', tail),
    ]
    const path = join(work, 'zip64.zip')
    const file = await open(path, 'w')
    let position = 0
    try {
      for await (const chunk of zipChunks(entries)) {
        const isHole = chunk.length > 0 && chunk.buffer === zero.buffer
        if (!isHole) await file.write(chunk, 0, chunk.length, position)
        position += chunk.length
      }
      await file.truncate(position)
    } finally {
      await file.close()
    }
    assert.isAbove(position, ZIP32_LIMIT)

    // Reading 4 GiB of holes back costs 10–30 s here (unzip and python alike), so the readers
    // check the members around the big one, found through the ZIP64 directory at their
    // offsets past 4 GiB, and python checks the big one's directory record: its size, and a
    // CRC equal to the one python computes itself over the same zeros.
    const { stdout: unzipReport } = await run('unzip', ['-t', path, 'first.txt', 'tail.txt'], {
      timeout: 60_000,
    })
    assert.include(unzipReport, 'No errors detected')
    assert.match(unzipReport, /tail\.txt\s+OK/)
    const { stdout: zipinfo } = await run('zipinfo', ['-l', path, 'big.bin'], { timeout: 60_000 })
    assert.include(zipinfo, String(bigSize))
    const listing = await pythonListing(path, ['first.txt', 'tail.txt'])
    assert.deepEqual(
      listing.map((item) => [item.name, item.size]),
      [
        ['first.txt', 6],
        ['big.bin', bigSize],
        ['tail.txt', tail.length],
      ]
    )
    assert.equal(listing[2].sha256, sha256(tail))
    const crcScript = `
import sys, zipfile, zlib
size = int(sys.argv[2]); block = bytes(1 << 22); crc = 0
while size > 0:
    crc = zlib.crc32(block[:min(size, len(block))], crc); size -= len(block)
archive = zipfile.ZipFile(sys.argv[1])
info = archive.getinfo('big.bin')
print(info.CRC == crc, info.compress_size == info.file_size, archive.getinfo('tail.txt').header_offset > 0xFFFFFFFF)`
    const { stdout: crcCheck } = await run('python3', ['-c', crcScript, path, String(bigSize)], {
      timeout: 60_000,
    })
    assert.equal(crcCheck.trim(), 'True True True', 'CRC, stored size, and an offset past 4 GiB')
  }).timeout(60_000)
})
