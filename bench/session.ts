/**
 * A benchmark's browser: keeps the cookies the server sets and the page's CSRF token, and posts
 * forms with it, as a browser does. Redirects are not followed, so a bench sees where it is sent.
 */
export class BrowserSession {
  cookies = new Map<string, string>()
  csrf = ''

  constructor(
    readonly base: string,
    readonly options: { timeoutMs?: number; onAnswer?: (response: Response) => void } = {}
  ) {}

  async fetch(path: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers)
    headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    const response = await fetch(this.base + path, {
      ...init,
      headers,
      redirect: 'manual',
      ...(this.options.timeoutMs && { signal: AbortSignal.timeout(this.options.timeoutMs) }),
    })
    this.options.onAnswer?.(response)
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const at = pair.indexOf('=')
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1))
    }
    return response
  }

  async page(path: string) {
    const response = await this.fetch(path)
    const html = await response.text()
    this.csrf = html.match(/<meta name="csrf-token" content="([^"]+)"/)?.[1] ?? this.csrf
    return html
  }

  form(path: string, fields: [string, string][]) {
    const body = new URLSearchParams([...fields, ['_csrf', this.csrf]])
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })
  }
}
