/** The drill's HTTP client, as a browser and a tus client are: cookies, CSRF, chunked uploads. */
import { sleep } from './processes.js'
import { BASE } from './services.js'
import { BrowserSession } from '../session.js'

export const tally = {
  /** 5xx answers the drill saw. */
  fiveHundreds: 0,
  /** Chunks the tus client had to send again after a fault (what a browser's tus client does). */
  retries: 0,
}
/** The drill's browser: every answer over 499 is counted; a request waits 30 s at most. */
export class Session extends BrowserSession {
  constructor() {
    super(BASE, {
      timeoutMs: 30_000,
      onAnswer: (response) => {
        if (response.status >= 500) tally.fiveHundreds += 1
      },
    })
  }
}
const b64 = (value: string) => Buffer.from(value).toString('base64')
const metadata = (values: Record<string, string>) =>
  Object.entries(values)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(',')

/** One tus upload: create, then PATCH in `chunks`; `between` runs after the first chunk (a fault). */
export async function upload(
  session: Session,
  consentId: string,
  bytes: Buffer,
  options: { filename: string; filetype?: string; chunks?: number; between?: () => Promise<void> }
) {
  const tus = { 'Tus-Resumable': '1.0.0', 'X-CSRF-TOKEN': session.csrf }
  let created: Response
  try {
    created = await session.fetch('/uploads', {
      method: 'POST',
      headers: {
        ...tus,
        'Upload-Length': String(bytes.length),
        'Upload-Metadata': metadata({
          consentId,
          filename: options.filename,
          filetype: options.filetype ?? 'video/mp4',
          title: `Drill ${options.filename.slice(0, 40)}`,
          sport: 'football',
        }),
      },
    })
  } catch (error) {
    return { status: 0, clipId: null, error: (error as Error).message }
  }
  if (created.status !== 201)
    return { status: created.status, clipId: null, error: await created.text() }
  const location = created.headers.get('location')!
  const chunks = Math.max(1, options.chunks ?? 1)
  const size = Math.ceil(bytes.length / chunks) || 1
  let offset = 0
  let last: Response | null = null
  let first = true
  do {
    const body = bytes.subarray(offset, offset + size)
    // A fault between chunks: the client retries the same chunk, as tus-js-client does.
    for (let attempt = 0; attempt < 8; attempt++) {
      if (attempt) tally.retries += 1
      try {
        last = await session.fetch(location, {
          method: 'PATCH',
          headers: {
            ...tus,
            'Content-Type': 'application/offset+octet-stream',
            'Upload-Offset': String(offset),
          },
          body: new Uint8Array(body),
        })
        if (last.status === 204 || last.status < 500) break
      } catch {
        last = null
      }
      await sleep(1000)
      const head = await session.fetch(location, { method: 'HEAD', headers: tus }).catch(() => null)
      if (head?.ok) offset = Number(head.headers.get('upload-offset') ?? offset)
    }
    if (!last || last.status !== 204)
      return {
        status: last?.status ?? 0,
        clipId: null,
        error: last ? await last.text() : 'no answer',
      }
    offset = Number(last.headers.get('upload-offset'))
    if (first && options.between) {
      first = false
      await options.between()
    }
  } while (offset < bytes.length)
  return { status: 204, clipId: last!.headers.get('athera-clip-id'), error: null }
}
