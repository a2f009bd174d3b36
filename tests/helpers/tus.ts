import { request as httpRequest } from 'node:http'
import { encodeUploadMetadata } from '#app/core/tus'
import { appUrl } from '#tests/helpers/browser'
import type { HttpSession } from '#tests/helpers/http_session'

/** A minimal tus 1.0 client over an HttpSession, as the upload page's tus-js-client behaves. */
export class TusClient {
  constructor(protected session: HttpSession) {}

  #headers(extra: Record<string, string> = {}) {
    return { 'Tus-Resumable': '1.0.0', 'X-CSRF-TOKEN': this.session.csrfToken, ...extra }
  }

  async create(
    length: number,
    metadata: Record<string, string | number | undefined>,
    options: { csrf?: boolean } = {}
  ) {
    const headers: Record<string, string> = this.#headers({
      'Upload-Length': String(length),
      'Upload-Metadata': encodeUploadMetadata(metadata),
    })
    if (options.csrf === false) delete headers['X-CSRF-TOKEN']
    const response = await this.session.fetch('/uploads', { method: 'POST', headers })
    return {
      status: response.status,
      location: response.headers.get('location'),
      text: await response.text(),
    }
  }

  async patch(location: string, offset: number, body: Buffer) {
    const response = await this.session.fetch(location, {
      method: 'PATCH',
      headers: this.#headers({
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': String(offset),
      }),
      body: new Uint8Array(body),
    })
    return {
      status: response.status,
      offset: Number(response.headers.get('upload-offset')),
      clipId: response.headers.get('athera-clip-id'),
      text: await response.text(),
    }
  }

  async head(location: string) {
    const response = await this.session.fetch(location, {
      method: 'HEAD',
      headers: this.#headers(),
    })
    return { status: response.status, offset: Number(response.headers.get('upload-offset')) }
  }

  async remove(location: string) {
    const response = await this.session.fetch(location, {
      method: 'DELETE',
      headers: this.#headers(),
    })
    return { status: response.status }
  }

  /** Uploads a whole buffer in chunks; returns the last PATCH answer. */
  async upload(
    data: Buffer,
    metadata: Record<string, string | number | undefined>,
    chunkBytes = 256 * 1024
  ) {
    const created = await this.create(data.length, metadata)
    if (created.status !== 201) return { created, last: null }
    let offset = 0
    let last = null
    while (offset < data.length) {
      last = await this.patch(created.location!, offset, data.subarray(offset, offset + chunkBytes))
      if (last.status !== 204) break
      offset = last.offset
    }
    return { created, last }
  }

  /**
   * Sends `sendBytes` of a PATCH announced as `body.length` bytes, then cuts the connection:
   * a network drop in the middle of a chunk.
   */
  async patchAndDrop(location: string, offset: number, body: Buffer, sendBytes: number) {
    const url = new URL(appUrl(location))
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'PATCH',
        headers: {
          ...this.#headers({
            'Content-Type': 'application/offset+octet-stream',
            'Upload-Offset': String(offset),
          }),
          'Content-Length': String(body.length),
          'Cookie': this.session.cookieHeader,
        },
      })
      req.on('error', () => resolve())
      req.on('close', () => resolve())
      req.write(body.subarray(0, sendBytes), () => {
        // Let the bytes reach the server before the cable is pulled.
        setTimeout(() => req.destroy(), 300)
      })
    })
  }
}
