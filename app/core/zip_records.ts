/**
 * The ZIP format's binary records, byte for byte (PKWARE APPNOTE 6.3): the local header, the
 * data descriptor, the central-directory header and the end of the archive, each with the ZIP64
 * fields it needs when a size, an offset or the entry count overflows 32 (or 16) bits.
 * zip_stream.ts decides what goes into them and in which order.
 */

export const ZIP32_LIMIT = 0xffffffff
const ENTRY_LIMIT = 0xffff

const SIG_LOCAL = 0x04034b50
const SIG_DESCRIPTOR = 0x08074b50
const SIG_CENTRAL = 0x02014b50
const SIG_ZIP64_END = 0x06064b50
const SIG_ZIP64_LOCATOR = 0x07064b50
const SIG_END = 0x06054b50

/** General-purpose flags: sizes in a data descriptor (bit 3), UTF-8 names (bit 11). */
export const FLAG_DESCRIPTOR = 0x0008
export const FLAG_UTF8 = 0x0800
const VERSION_DEFAULT = 20
const VERSION_ZIP64 = 45
/** Made by Unix (3), spec 4.5: external attributes carry a Unix mode. */
const MADE_BY = (3 << 8) | VERSION_ZIP64
const FILE_MODE = 0o100644

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

/** MS-DOS date and time (2-second resolution, 1980–2107), as ZIP headers carry them. */
export function dosDateTime(date: Date) {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107)
  return {
    time:
      (date.getUTCHours() << 11) |
      (date.getUTCMinutes() << 5) |
      Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  }
}

/** A local file header; sizes and CRC follow in the data descriptor. */
export function localHeader(
  record: Omit<CentralRecord, 'crc32' | 'compressedSize' | 'size' | 'offset'>
) {
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
  const zip64 =
    entries >= ENTRY_LIMIT || directorySize >= ZIP32_LIMIT || directoryOffset >= ZIP32_LIMIT
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
