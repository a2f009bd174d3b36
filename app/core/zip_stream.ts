import { createHash } from 'node:crypto'
import { Readable, pipeline } from 'node:stream'
import { crc32, createDeflateRaw } from 'node:zlib'

/**
 * A streaming ZIP writer: entries go out one after the other, each as a local header, its data
 * and a data descriptor (so nothing is ever sought back to), then the central directory. Memory
 * holds one chunk of data and one central-directory record per entry, whatever the sizes.
 *
 * - `store` for data that is already compressed (mp4), `deflate` through zlib for text.
 * - Names are UTF-8 (general-purpose flag bit 11).
 * - ZIP64: an entry declared (or found) larger than 4 GiB gets ZIP64 sizes, an entry starting
 *   past 4 GiB gets a ZIP64 offset, and an archive past the 32-bit limits gets the ZIP64
 *   end-of-central-directory record and locator.
 */

export const ZIP32_LIMIT = 0xffffffff
const ENTRY_LIMIT = 0xffff

const SIG_LOCAL = 0x04034b50
const SIG_DESCRIPTOR = 0x08074b50
const SIG_CENTRAL = 0x02014b50
const SIG_ZIP64_END = 0x06064b50
const SIG_ZIP64_LOCATOR = 0x07064b50
const SIG_END = 0x06054b50

const FLAG_DESCRIPTOR = 0x0008
const FLAG_UTF8 = 0x0800
const VERSION_DEFAULT = 20
const VERSION_ZIP64 = 45
/** Made by Unix (3), spec 4.5: external attributes carry a Unix mode. */
const MADE_BY = (3 << 8) | VERSION_ZIP64
const FILE_MODE = 0o100644

export type ZipMethod = 'store' | 'deflate'
export type ZipSource = Iterable<Buffer | Uint8Array> | AsyncIterable<Buffer | Uint8Array>

export interface ZipEntry {
  /** Path inside the archive, '/'-separated, no leading slash. */
  name: string
  /** The bytes, opened only when the entry's turn comes. */
  open: () => ZipSource | Promise<ZipSource>
  method?: ZipMethod
  /** Expected uncompressed size when known: above 4 GiB the entry is written as ZIP64. */
  size?: number
  /**
   * Called once the entry's data has gone out, before its data descriptor. Throwing here
   * aborts the archive (the reader then holds a truncated file, never a wrong one).
   */
  verify?: (result: ZipEntryResult) => void
}

export interface ZipEntryResult {
  name: string
  size: number
  compressedSize: number
  crc32: number
  /** Hex SHA-256 of the uncompressed data; computed only for entries with `verify`. */
  sha256: string
}

/** What the central directory needs of an entry already written. */
export interface CentralRecord {
  name: Buffer
  method: number
  flags: number
  dosTime: number
  dosDate: number
  crc32: number
  compressedSize: number
  size: number
  offset: number
  zip64Local: boolean
}

export class ZipError extends Error {
  constructor(
    public code: 'E_ZIP_NAME' | 'E_ZIP_SIZE' | 'E_ZIP_DUPLICATE',
    message: string
  ) {
    super(`${code}: ${message}`)
  }
}

/** MS-DOS date and time (2-second resolution, 1980–2107), as ZIP headers carry them. */
export function dosDateTime(date: Date) {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107)
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  }
}

/** A local file header; sizes and CRC follow in the data descriptor. */
export function localHeader(record: Omit<CentralRecord, 'crc32' | 'compressedSize' | 'size' | 'offset'>) {
  const extra = record.zip64Local ? zip64Extra([0, 0]) : Buffer.alloc(0)
  const header = Buffer.alloc(30)
  header.writeUInt32LE(SIG_LOCAL, 0)
  header.writeUInt16LE(record.zip64Local ? VERSION_ZIP64 : VERSION_DEFAULT, 4)
  header.writeUInt16LE(record.flags, 6)
  header.writeUInt16LE(record.method, 8)
  header.writeUInt16LE(record.dosTime, 10)
  header.writeUInt16LE(record.dosDate, 12)
  header.writeUInt32LE(0, 14)
  // ZIP64 entries say "see the extra field" in both sizes (APPNOTE 4.5.3).
  header.writeUInt32LE(record.zip64Local ? ZIP32_LIMIT : 0, 18)
  header.writeUInt32LE(record.zip64Local ? ZIP32_LIMIT : 0, 22)
  header.writeUInt16LE(record.name.length, 26)
  header.writeUInt16LE(extra.length, 28)
  return Buffer.concat([header, record.name, extra])
}

/** The data descriptor after an entry's data: 8-byte sizes when the local header is ZIP64. */
export function dataDescriptor(record: CentralRecord) {
  if (record.zip64Local) {
    const buffer = Buffer.alloc(24)
    buffer.writeUInt32LE(SIG_DESCRIPTOR, 0)
    buffer.writeUInt32LE(record.crc32, 4)
    buffer.writeBigUInt64LE(BigInt(record.compressedSize), 8)
    buffer.writeBigUInt64LE(BigInt(record.size), 16)
    return buffer
  }
  const buffer = Buffer.alloc(16)
  buffer.writeUInt32LE(SIG_DESCRIPTOR, 0)
  buffer.writeUInt32LE(record.crc32, 4)
  buffer.writeUInt32LE(record.compressedSize, 8)
  buffer.writeUInt32LE(record.size, 12)
  return buffer
}

/**
 * A central-directory header. Any of size, compressed size and offset that does not fit in
 * 32 bits reads 0xFFFFFFFF and goes into a ZIP64 extra field, in the order APPNOTE 4.5.3 fixes.
 */
export function centralHeader(record: CentralRecord) {
  const wide: number[] = []
  const fit = (value: number) => {
    if (value >= ZIP32_LIMIT) {
      wide.push(value)
      return ZIP32_LIMIT
    }
    return value
  }
  const size = fit(record.size)
  const compressedSize = fit(record.compressedSize)
  const offset = fit(record.offset)
  const extra = wide.length > 0 ? zip64Extra(wide) : Buffer.alloc(0)
  const zip64 = wide.length > 0 || record.zip64Local
  const header = Buffer.alloc(46)
  header.writeUInt32LE(SIG_CENTRAL, 0)
  header.writeUInt16LE(MADE_BY, 4)
  header.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, 6)
  header.writeUInt16LE(record.flags, 8)
  header.writeUInt16LE(record.method, 10)
  header.writeUInt16LE(record.dosTime, 12)
  header.writeUInt16LE(record.dosDate, 14)
  header.writeUInt32LE(record.crc32, 16)
  header.writeUInt32LE(compressedSize, 20)
  header.writeUInt32LE(size, 24)
  header.writeUInt16LE(record.name.length, 28)
  header.writeUInt16LE(extra.length, 30)
  header.writeUInt16LE(0, 32) // comment length
  header.writeUInt16LE(0, 34) // disk number start
  header.writeUInt16LE(0, 36) // internal attributes
  header.writeUInt32LE((FILE_MODE << 16) >>> 0, 38)
  header.writeUInt32LE(offset, 42)
  return Buffer.concat([header, record.name, extra])
}

/**
 * The end of the archive: the ZIP64 end record and locator when the entry count, the
 * directory's size or its offset overflow the classic record, then the classic record.
 */
export function endOfArchive(entries: number, directorySize: number, directoryOffset: number) {
  const parts: Buffer[] = []
  const zip64 = entries >= ENTRY_LIMIT || directorySize >= ZIP32_LIMIT || directoryOffset >= ZIP32_LIMIT
  if (zip64) {
    const record = Buffer.alloc(56)
    record.writeUInt32LE(SIG_ZIP64_END, 0)
    record.writeBigUInt64LE(44n, 4) // size of the rest of this record
    record.writeUInt16LE(MADE_BY, 12)
    record.writeUInt16LE(VERSION_ZIP64, 14)
    record.writeUInt32LE(0, 16) // this disk
    record.writeUInt32LE(0, 20) // disk with the directory
    record.writeBigUInt64LE(BigInt(entries), 24)
    record.writeBigUInt64LE(BigInt(entries), 32)
    record.writeBigUInt64LE(BigInt(directorySize), 40)
    record.writeBigUInt64LE(BigInt(directoryOffset), 48)
    const locator = Buffer.alloc(20)
    locator.writeUInt32LE(SIG_ZIP64_LOCATOR, 0)
    locator.writeUInt32LE(0, 4)
    locator.writeBigUInt64LE(BigInt(directoryOffset + directorySize), 8)
    locator.writeUInt32LE(1, 16) // total disks
    parts.push(record, locator)
  }
  const end = Buffer.alloc(22)
  end.writeUInt32LE(SIG_END, 0)
  end.writeUInt16LE(0, 4)
  end.writeUInt16LE(0, 6)
  end.writeUInt16LE(Math.min(entries, ENTRY_LIMIT), 8)
  end.writeUInt16LE(Math.min(entries, ENTRY_LIMIT), 10)
  end.writeUInt32LE(Math.min(directorySize, ZIP32_LIMIT), 12)
  end.writeUInt32LE(Math.min(directoryOffset, ZIP32_LIMIT), 16)
  end.writeUInt16LE(0, 20)
  parts.push(end)
  return Buffer.concat(parts)
}

function zip64Extra(values: number[]) {
  const extra = Buffer.alloc(4 + values.length * 8)
  extra.writeUInt16LE(0x0001, 0)
  extra.writeUInt16LE(values.length * 8, 2)
  values.forEach((value, index) => extra.writeBigUInt64LE(BigInt(value), 4 + index * 8))
  return extra
}

function checkName(name: string) {
  if (!name || name.startsWith('/') || name.includes('\\') || name.split('/').some((part) => part === '..' || part === '')) {
    throw new ZipError('E_ZIP_NAME', `"${name}" is not a safe relative path`)
  }
  const encoded = Buffer.from(name, 'utf8')
  if (encoded.length > 0xffff) throw new ZipError('E_ZIP_NAME', `"${name.slice(0, 40)}…" is too long`)
  return encoded
}

/**
 * The archive as an async sequence of buffers. Pulled by a consumer (a Readable made from it,
 * an HTTP response), it reads the next source chunk only when the previous one was taken:
 * backpressure reaches the storage stream.
 */
export async function* zipChunks(entries: Iterable<ZipEntry> | AsyncIterable<ZipEntry>, options: { mtime?: Date } = {}) {
  const { time: dosTime, date: dosDate } = dosDateTime(options.mtime ?? new Date())
  const records: CentralRecord[] = []
  const names = new Set<string>()
  let offset = 0

  for await (const entry of entries) {
    const name = checkName(entry.name)
    if (names.has(entry.name)) throw new ZipError('E_ZIP_DUPLICATE', `"${entry.name}" is in the archive twice`)
    names.add(entry.name)
    const deflate = entry.method === 'deflate'
    const zip64Local = (entry.size ?? 0) >= ZIP32_LIMIT
    const record: CentralRecord = {
      name,
      method: deflate ? 8 : 0,
      flags: FLAG_DESCRIPTOR | FLAG_UTF8,
      dosTime,
      dosDate,
      crc32: 0,
      compressedSize: 0,
      size: 0,
      offset,
      zip64Local,
    }
    const header = localHeader(record)
    offset += header.length
    yield header

    // Hashing costs as much as the copy itself: only when someone checks the result.
    const hash = entry.verify ? createHash('sha256') : null
    let crc = 0
    let size = 0
    const source = await entry.open()
    async function* measured() {
      for await (const chunk of source) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        crc = crc32(buffer, crc)
        hash?.update(buffer)
        size += buffer.length
        yield buffer
      }
    }

    let compressedSize = 0
    if (deflate) {
      const deflater = createDeflateRaw({ level: 6 })
      pipeline(Readable.from(measured()), deflater, () => {})
      for await (const chunk of deflater) {
        compressedSize += (chunk as Buffer).length
        yield chunk as Buffer
      }
    } else {
      for await (const chunk of measured()) {
        compressedSize += chunk.length
        yield chunk
      }
    }
    offset += compressedSize

    if (!zip64Local && (size >= ZIP32_LIMIT || compressedSize >= ZIP32_LIMIT)) {
      throw new ZipError('E_ZIP_SIZE', `"${entry.name}" passed 4 GiB without being declared that large`)
    }
    const result = { name: entry.name, size, compressedSize, crc32: crc >>> 0, sha256: hash?.digest('hex') ?? '' }
    entry.verify?.(result)

    Object.assign(record, { crc32: result.crc32, size, compressedSize })
    records.push(record)
    const descriptor = dataDescriptor(record)
    offset += descriptor.length
    yield descriptor
  }

  const directoryOffset = offset
  let directorySize = 0
  for (const record of records) {
    const header = centralHeader(record)
    directorySize += header.length
    yield header
  }
  yield endOfArchive(records.length, directorySize, directoryOffset)
}

/** The archive as a Readable (for an HTTP response or a file). */
export function zipStream(entries: Iterable<ZipEntry> | AsyncIterable<ZipEntry>, options: { mtime?: Date } = {}) {
  return Readable.from(zipChunks(entries, options), { objectMode: false, highWaterMark: 256 * 1024 })
}

/** An entry from a string or buffer already in memory (README, SHA256SUMS, …). */
export function bufferEntry(name: string, data: string | Buffer, method: ZipMethod = 'deflate'): ZipEntry {
  const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  return { name, method, size: buffer.length, open: () => [buffer] }
}
