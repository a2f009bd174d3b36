import { createHash } from 'node:crypto'
import { Readable, pipeline } from 'node:stream'
import { crc32, createDeflateRaw } from 'node:zlib'
import {
  FLAG_DESCRIPTOR,
  FLAG_UTF8,
  ZIP32_LIMIT,
  type CentralRecord,
  centralHeader,
  dataDescriptor,
  dosDateTime,
  endOfArchive,
  localHeader,
} from '#app/core/zip_records'

/**
 * A streaming ZIP writer: entries go out one after the other, each as a local header, its data
 * and a data descriptor (so nothing is ever sought back to), then the central directory. Memory
 * holds one chunk of data and one central-directory record per entry, whatever the sizes.
 *
 * - `store` for data that is already compressed (mp4), `deflate` through zlib for text.
 * - Names are UTF-8 (general-purpose flag bit 11).
 * - ZIP64: an entry declared (or found) larger than 4 GiB gets ZIP64 sizes, an entry starting
 *   past 4 GiB gets a ZIP64 offset, and an archive past the 32-bit limits gets the ZIP64
 *   end-of-central-directory record and locator (the records themselves: zip_records.ts).
 */

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

export class ZipError extends Error {
  constructor(
    public code: 'E_ZIP_NAME' | 'E_ZIP_SIZE' | 'E_ZIP_DUPLICATE',
    message: string
  ) {
    super(`${code}: ${message}`)
  }
}

function checkName(name: string) {
  if (
    !name ||
    name.startsWith('/') ||
    name.includes('\\') ||
    name.split('/').some((part) => part === '..' || part === '')
  ) {
    throw new ZipError('E_ZIP_NAME', `"${name}" is not a safe relative path`)
  }
  const encoded = Buffer.from(name, 'utf8')
  if (encoded.length > 0xffff)
    throw new ZipError('E_ZIP_NAME', `"${name.slice(0, 40)}…" is too long`)
  return encoded
}

/**
 * The archive as an async sequence of buffers. Pulled by a consumer (a Readable made from it,
 * an HTTP response), it reads the next source chunk only when the previous one was taken:
 * backpressure reaches the storage stream.
 */
export async function* zipChunks(
  entries: Iterable<ZipEntry> | AsyncIterable<ZipEntry>,
  options: { mtime?: Date } = {}
) {
  const { time: dosTime, date: dosDate } = dosDateTime(options.mtime ?? new Date())
  const records: CentralRecord[] = []
  const names = new Set<string>()
  let offset = 0

  for await (const entry of entries) {
    const name = checkName(entry.name)
    if (names.has(entry.name))
      throw new ZipError('E_ZIP_DUPLICATE', `"${entry.name}" is in the archive twice`)
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
        const buffer = Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
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
      throw new ZipError(
        'E_ZIP_SIZE',
        `"${entry.name}" passed 4 GiB without being declared that large`
      )
    }
    const result = {
      name: entry.name,
      size,
      compressedSize,
      crc32: crc >>> 0,
      sha256: hash?.digest('hex') ?? '',
    }
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
export function zipStream(
  entries: Iterable<ZipEntry> | AsyncIterable<ZipEntry>,
  options: { mtime?: Date } = {}
) {
  return Readable.from(zipChunks(entries, options), {
    objectMode: false,
    highWaterMark: 256 * 1024,
  })
}

/** An entry from a string or buffer already in memory (README, SHA256SUMS, …). */
export function bufferEntry(
  name: string,
  data: string | Buffer,
  method: ZipMethod = 'deflate'
): ZipEntry {
  const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  return { name, method, size: buffer.length, open: () => [buffer] }
}
