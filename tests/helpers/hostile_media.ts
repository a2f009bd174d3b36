import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:net'
import { stat, utimes, writeFile } from 'node:fs/promises'

/**
 * Crafted files of the ffmpeg file-read/SSRF class, and the traps that tell whether one worked:
 * a canary file (a read moves its atime; its content is unique) and a loopback TCP server
 * that counts connections.
 */
const u32 = (value: number) => {
  const buffer = Buffer.alloc(4)
  buffer.writeUInt32LE(value)
  return buffer
}
const u16 = (value: number) => {
  const buffer = Buffer.alloc(2)
  buffer.writeUInt16LE(value)
  return buffer
}
const riffChunk = (id: string, data: Buffer) =>
  Buffer.concat([Buffer.from(id, 'latin1'), u32(data.length), data, Buffer.alloc(data.length % 2)])
const riffList = (type: string, ...parts: Buffer[]) =>
  riffChunk('LIST', Buffer.concat([Buffer.from(type, 'latin1'), ...parts]))

/**
 * An AVI whose one stream is a GAB2 subtitle carrying `script` (an HLS playlist or an ffconcat
 * file): the published "HLS in AVI" attack, where the AVI demuxer opens the embedded file
 * with another demuxer that follows its references.
 */
export function scriptInAvi(script: string) {
  const avih = Buffer.concat([40000, 0, 0, 0, 1, 0, 1, 0, 224, 160, 0, 0, 0, 0].map(u32))
  const strh = Buffer.concat([
    Buffer.from('txts'),
    u32(0),
    u32(0),
    u16(0),
    u16(0),
    u32(0),
    u32(1),
    u32(25),
    u32(0),
    u32(1),
    u32(0),
    u32(0),
    u32(0),
    Buffer.alloc(8),
  ])
  const hdrl = riffList(
    'hdrl',
    riffChunk('avih', avih),
    riffList('strl', riffChunk('strh', strh), riffChunk('strf', Buffer.alloc(40)))
  )
  const body = Buffer.from(script, 'latin1')
  const gab2 = Buffer.concat([
    Buffer.from('GAB2\0', 'latin1'),
    u16(2),
    u32(0),
    u16(4),
    u32(body.length),
    body,
  ])
  const riff = Buffer.concat([
    Buffer.from('AVI ', 'latin1'),
    hdrl,
    riffList('movi', riffChunk('00tx', gab2)),
  ])
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32(riff.length), riff])
}

/** A real MP4 with `script` in a trailing `free` atom: a structurally valid file. */
export function scriptInMp4(mp4: Buffer, script: string) {
  const body = Buffer.from(script, 'latin1')
  const header = Buffer.alloc(8)
  header.writeUInt32BE(body.length + 8)
  header.write('free', 4, 'latin1')
  return Buffer.concat([mp4, header, body])
}

/** An HLS playlist whose segments are a local file and a loopback URL. */
export function hlsPlaylist(canaryPath: string, url: string) {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:1',
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXTINF:1.0,',
    `file://${canaryPath}`,
    '#EXTINF:1.0,',
    url,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n')
}

export function concatScript(canaryPath: string, url: string) {
  return `ffconcat version 1.0\nfile '${canaryPath}'\nfile '${url}'\n`
}

/** A file whose reading shows: unique content, and an atime set before its mtime (relatime moves it on a read). */
export async function makeCanary(path: string) {
  const secret = `CANARY-${randomUUID()}`
  await writeFile(path, secret)
  const past = new Date('2001-01-01T00:00:00Z')
  await utimes(path, past, new Date())
  return {
    secret,
    async wasRead() {
      const stats = await stat(path)
      return stats.atimeMs !== past.getTime()
    },
  }
}

/** A loopback TCP server that counts connections and closes each at once. */
export async function connectionCounter() {
  let connections = 0
  const server: Server = createServer((socket) => {
    connections++
    socket.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/segment.ts`,
    get connections() {
      return connections
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
