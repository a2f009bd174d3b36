/**
 * Recognizes a video container from its first bytes, never from the file name.
 */
export type ContainerKind = 'mp4' | 'matroska' | 'avi'

/** Top-level QuickTime/ISO-BMFF atoms a file may start with. */
const ISO_ATOMS = new Set(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot'])

/** Audio-only or still-image brands that share the MP4 container. */
const NON_VIDEO_BRANDS = new Set([
  'M4A ',
  'M4B ',
  'M4P ',
  'F4A ',
  'F4B ',
  'avif',
  'avis',
  'heic',
  'heix',
  'mif1',
  'msf1',
])

export interface ContainerCheck {
  kind: ContainerKind | null
  /** The MIME type of what the bytes are, for the stored original (never the client's word). */
  contentType?: string
  /** Set when the bytes are a known format that is not a video container. */
  refusal?: string
  /** The container an audio or still-image file refused above still is (to read it safely). */
  family?: ContainerKind
}

/** Inspects at least the first 16 bytes of a file. */
export function detectContainer(head: Buffer): ContainerCheck {
  if (head.length >= 12) {
    const atom = head.toString('latin1', 4, 8)
    if (ISO_ATOMS.has(atom)) {
      const brand = atom === 'ftyp' ? head.toString('latin1', 8, 12) : ''
      if (NON_VIDEO_BRANDS.has(brand)) {
        return {
          kind: null,
          family: 'mp4',
          refusal: 'This file is audio or a still image in an MP4 container, not a video.',
        }
      }
      return { kind: 'mp4', contentType: brand === 'qt  ' ? 'video/quicktime' : 'video/mp4' }
    }
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) {
    // The EBML header's DocType sits in the first bytes: WebM is Matroska under another name.
    return {
      kind: 'matroska',
      contentType: head.includes('webm', 0, 'latin1') ? 'video/webm' : 'video/x-matroska',
    }
  }
  if (
    head.length >= 12 &&
    head.toString('latin1', 0, 4) === 'RIFF' &&
    head.toString('latin1', 8, 11) === 'AVI'
  ) {
    return { kind: 'avi', contentType: 'video/x-msvideo' }
  }
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    return { kind: null, refusal: 'This file is a JPEG image, not a video.' }
  }
  if (head.length >= 8 && head.toString('latin1', 1, 4) === 'PNG') {
    return { kind: null, refusal: 'This file is a PNG image, not a video.' }
  }
  return { kind: null }
}

/**
 * Whether a file holds all the bytes its container says it has. A truncated MP4 whose index
 * sits at the front still probes fine, so the top-level structure is walked: every atom
 * (MP4/MOV), the RIFF chunk (AVI) or a sized Matroska segment must end inside the file.
 * `read(position, length)` returns the bytes at that position (fewer at end of file).
 */
export async function checkComplete(
  kind: ContainerKind,
  size: number,
  read: (position: number, length: number) => Promise<Buffer>
): Promise<string | null> {
  if (kind === 'mp4') {
    let position = 0
    while (position < size) {
      const header = await read(position, 16)
      if (header.length < 8) return 'The file ends in the middle of its structure: it is truncated.'
      let atomSize = header.readUInt32BE(0)
      if (atomSize === 1) {
        if (header.length < 16)
          return 'The file ends in the middle of its structure: it is truncated.'
        atomSize = Number(header.readBigUInt64BE(8))
      } else if (atomSize === 0) {
        return null // "extends to the end of the file"
      }
      if (atomSize < 8) return 'The file structure is corrupt.'
      if (position + atomSize > size)
        return 'The file is truncated: it stops before its last part ends.'
      position += atomSize
    }
    return null
  }
  if (kind === 'avi') {
    const header = await read(0, 8)
    const declared = header.readUInt32LE(4) + 8
    return declared > size ? 'The file is truncated: it stops before its last part ends.' : null
  }
  // Matroska: the Segment's size, when known, must fit (live recordings leave it unknown).
  const head = await read(0, 64)
  const ebmlSize = readVint(head, 4)
  if (!ebmlSize) return null
  const segmentAt = 4 + ebmlSize.length + ebmlSize.value
  const segment = await read(segmentAt, 12)
  if (segment.length < 5 || segment.readUInt32BE(0) !== 0x18538067) return null
  const segmentSize = readVint(segment, 4)
  if (!segmentSize || segmentSize.unknown) return null
  return segmentAt + 4 + segmentSize.length + segmentSize.value > size
    ? 'The file is truncated: it stops before its last part ends.'
    : null
}

/** An EBML variable-length integer at `offset`: its byte length, value, and "unknown size". */
function readVint(buffer: Buffer, offset: number) {
  if (offset >= buffer.length) return null
  const first = buffer[offset]
  let length = 1
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++
  if (length > 8 || offset + length > buffer.length) return null
  let value = first & (0xff >> length)
  let allOnes = value === 0xff >> length
  for (let index = 1; index < length; index++) {
    value = value * 256 + buffer[offset + index]
    allOnes &&= buffer[offset + index] === 0xff
  }
  return { length, value, unknown: allOnes }
}

/**
 * The one demuxer ffmpeg may use for each container. Without `-f`, ffmpeg guesses the format
 * from the bytes and may pick a playlist (HLS) or script (concat) reader that opens other
 * files or URLs.
 */
export const DEMUXERS: Record<ContainerKind, string> = {
  mp4: 'mov',
  matroska: 'matroska',
  avi: 'avi',
}

/**
 * Options that go before every `-i` of a file we did not write ourselves: only local files
 * and pipes may be opened (no http, tcp, crypto, concat or data protocol), and only the
 * demuxer of the container the magic bytes found may read it — nested readers included (an
 * AVI's embedded subtitle file is opened with the same whitelists).
 */
export function inputArgs(kind: ContainerKind) {
  return [
    '-protocol_whitelist',
    'file,pipe',
    '-format_whitelist',
    DEMUXERS[kind],
    '-f',
    DEMUXERS[kind],
  ]
}

/** Markers of a playlist or script that a media file has no reason to carry. */
const EMBEDDED_SCRIPTS = ['#EXTM3U', '#EXT-X-', 'ffconcat version'].map((marker) =>
  Buffer.from(marker, 'latin1')
)
const LONGEST_MARKER = Math.max(...EMBEDDED_SCRIPTS.map((marker) => marker.length))

/**
 * Looks through a whole file for an HLS playlist or an ffconcat script hidden inside it (the
 * known way to make ffmpeg read local files or fetch URLs). Returns the marker found, or null.
 */
export async function findEmbeddedScript(chunks: AsyncIterable<Buffer>): Promise<string | null> {
  const scanner = new EmbeddedScriptScanner()
  for await (const chunk of chunks) {
    if (scanner.push(chunk)) return scanner.found
  }
  return scanner.found
}

/** The same search fed chunk by chunk, in order (an upload's bytes while they arrive). */
export class EmbeddedScriptScanner {
  found: string | null = null
  #carry: Buffer = Buffer.alloc(0)

  /** Looks at the next chunk; true once a marker was found. */
  push(chunk: Buffer) {
    if (this.found) return true
    // A marker may straddle two chunks: keep the previous chunk's tail in front.
    const window = this.#carry.length ? Buffer.concat([this.#carry, chunk]) : chunk
    for (const marker of EMBEDDED_SCRIPTS) {
      if (window.includes(marker)) {
        this.found = marker.toString('latin1')
        return true
      }
    }
    this.#carry = Buffer.from(window.subarray(Math.max(0, window.length - LONGEST_MARKER + 1)))
    return false
  }
}
