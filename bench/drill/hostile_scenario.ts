/**
 * Hostile uploads, eight at a time: renamed text, truncated and empty files, audio only, HLS
 * playlists in an AVI (the ffmpeg file-read / SSRF class), a lying duration, odd file names.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { count, waitProcessed } from './checks.js'
import { upload, type Session } from './http.js'
import { ffmpeg, testVideo } from './media.js'
import { canaryFile, canaryHits, canaryUrl, work } from './services.js'
import { scenario } from './table.js'

const HOSTILE = Number(process.env.DRILL_HOSTILE ?? 200)

export async function hostileScenario(browser: Session, consentId: string) {
  await scenario('200 hostile uploads', HOSTILE, async () => {
    const valid = await testVideo(3)
    const lying = Buffer.from(await testVideo(6))
    // A duration that lies: the movie header says 2 s of a 6 s stream (version 0 mvhd:
    // size, 'mvhd', version+flags, created, modified, timescale, duration).
    const mvhd = lying.indexOf('mvhd')
    if (mvhd > 0) lying.writeUInt32BE(lying.readUInt32BE(mvhd + 16) * 2, mvhd + 20)
    const audioPath = join(work, 'audio.mp4')
    await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'aac', audioPath])
    const audio = await readFile(audioPath)
    const playlist = `#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:1.0,\nfile://${canaryFile}\n#EXTINF:1.0,\n${canaryUrl}\n#EXT-X-ENDLIST\n`
    // An AVI whose stream data is an HLS playlist (the known ffmpeg file-read / SSRF class).
    const aviHeader = Buffer.from('RIFF\0\0\0\0AVI LIST\x40\0\0\0hdrlavih\x38\0\0\0', 'latin1')
    const hlsAvi = Buffer.concat([
      aviHeader,
      Buffer.alloc(56),
      Buffer.from(`LIST\0\0\0\0movi00dc${playlist}`, 'latin1'),
    ])
    const oddNames = [
      '../../etc/passwd.mp4',
      'CON.mp4',
      'ünïcødé 🎥 clip.mp4',
      'a'.repeat(300) + '.mp4',
      'semi;colon "quoted".mp4',
      'new\nline.mp4',
      'tab\there.mp4',
      '.mp4',
      '%00null.mp4',
      '<script>.mp4',
    ]
    const kinds = [
      'renamed text',
      'truncated',
      '0-byte',
      'audio-only',
      'HLS-in-AVI',
      'lying duration',
      'odd name',
    ] as const
    const tally = new Map<string, { accepted: number; refused: number; failed: number }>()
    const accepted: string[] = []
    const items = Array.from({ length: HOSTILE }, (_, index) => index)
    const make = (
      index: number
    ): { kind: (typeof kinds)[number]; bytes: Buffer; filename: string; filetype: string } => {
      const kind = kinds[index % kinds.length]
      switch (kind) {
        case 'renamed text':
          return {
            kind,
            bytes: Buffer.from(`not a video ${index}\n`.repeat(50 + index)),
            filename: `notes-${index}.mp4`,
            filetype: 'video/mp4',
          }
        case 'truncated':
          return {
            kind,
            bytes: valid.subarray(0, Math.floor(valid.length * (0.2 + (index % 7) / 10))),
            filename: `cut-${index}.mp4`,
            filetype: 'video/mp4',
          }
        case '0-byte':
          return {
            kind,
            bytes: Buffer.alloc(0),
            filename: `empty-${index}.mp4`,
            filetype: 'video/mp4',
          }
        case 'audio-only':
          return {
            kind,
            bytes: Buffer.concat([audio, Buffer.from(`${index}`)]),
            filename: `audio-${index}.mp4`,
            filetype: 'video/mp4',
          }
        case 'HLS-in-AVI':
          return {
            kind,
            bytes: index % 2 ? hlsAvi : Buffer.from(playlist + `#${index}\n`),
            filename: `hls-${index}.avi`,
            filetype: 'video/x-msvideo',
          }
        case 'lying duration':
          return { kind, bytes: lying, filename: `lying-${index}.mp4`, filetype: 'video/mp4' }
        case 'odd name':
          return {
            kind,
            bytes: valid,
            filename: oddNames[index % oddNames.length],
            filetype: index % 3 ? 'video/mp4' : 'text/html',
          }
      }
    }
    // Eight at a time, as a hostile client would.
    let next = 0
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < items.length) {
          const item = make(items[next++])
          const result = await upload(browser, consentId, item.bytes, {
            filename: item.filename,
            filetype: item.filetype,
          })
          const entry = tally.get(item.kind) ?? { accepted: 0, refused: 0, failed: 0 }
          if (result.clipId) {
            entry.accepted += 1
            accepted.push(result.clipId)
          } else if (result.status >= 400 && result.status < 500) entry.refused += 1
          else entry.failed += 1
          tally.set(item.kind, entry)
        }
      })
    )
    const once = accepted.length ? await waitProcessed(accepted) : 0
    const contents = await readFile(canaryFile, 'utf8')
    const secret = contents.trim()
    const leaked = await count(
      `SELECT count(*) AS n FROM clips WHERE title LIKE '%' || $1 || '%'`,
      [secret]
    ).catch(() => 0)
    const summary = [...tally]
      .map(
        ([kind, entry]) =>
          `${kind} ${entry.accepted} accepted/${entry.refused} refused${entry.failed ? `/${entry.failed} failed` : ''}`
      )
      .join(', ')
    return {
      once: `${once}/${accepted.length}`,
      note: `${summary}; canary URL hit ${canaryHits}×${leaked ? `; canary text in ${leaked} rows` : ''}`,
    }
  })
}
