import { appUrl } from '#tests/helpers/browser'

/**
 * A logged-in visitor speaking plain HTTP to the test server, cookies and CSRF token
 * included: what a browser's uploader does, without the browser.
 */
export class HttpSession {
  #cookies = new Map<string, string>()
  csrfToken = ''

  /** `baseUrl`: another server than the test process's own (a spawned one, tests/helpers/app_server.ts). */
  constructor(readonly baseUrl?: string) {}

  get cookieHeader() {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  async fetch(path: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers)
    if (this.#cookies.size) headers.set('cookie', this.cookieHeader)
    const url = this.baseUrl ? new URL(path, this.baseUrl).toString() : appUrl(path)
    const response = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const index = pair.indexOf('=')
      this.#cookies.set(pair.slice(0, index), pair.slice(index + 1))
    }
    return response
  }

  /** Loads a page and keeps its CSRF token (from the layout's meta tag). */
  async load(path: string) {
    const response = await this.fetch(path)
    const html = await response.text()
    const token = html.match(/<meta name="csrf-token" content="([^"]+)"/)
    if (token) this.csrfToken = token[1]
    return { response, html }
  }

  /** Sends a form with the CSRF token (`_method` spoofs PUT and DELETE). */
  form(path: string, fields: Record<string, string> = {}) {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, _csrf: this.csrfToken }),
    })
  }

  static async login(email: string, password: string, baseUrl?: string) {
    const session = new HttpSession(baseUrl)
    await session.load('/login')
    const response = await session.fetch('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password, _csrf: session.csrfToken }),
    })
    if (response.status !== 302 || response.headers.get('location') === '/login') {
      throw new Error(`login as ${email} failed (${response.status})`)
    }
    await session.load('/account/password')
    return session
  }
}
