/** The longest URL an endpoint may have (the column's bound). */
export const WEBHOOK_URL_MAX = 2000

/** The URL as typed, normalised, or why it cannot receive events (app/webhooks/errors.ts words it). */
export type WebhookUrlCheck =
  | { ok: true; url: string }
  | { ok: false; code: 'E_URL_MISSING' }
  | { ok: false; code: 'E_URL_TOO_LONG'; max: number }
  | { ok: false; code: 'E_NOT_A_URL' }
  | { ok: false; code: 'E_URL_SCHEME'; protocol: string }
  | { ok: false; code: 'E_URL_CREDENTIALS' }

/** The URL as typed, or the code of why it cannot receive events. */
export function checkWebhookUrl(raw: string): WebhookUrlCheck {
  const value = raw.trim()
  if (value.length === 0) return { ok: false, code: 'E_URL_MISSING' }
  if (value.length > WEBHOOK_URL_MAX)
    return { ok: false, code: 'E_URL_TOO_LONG', max: WEBHOOK_URL_MAX }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return { ok: false, code: 'E_NOT_A_URL' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, code: 'E_URL_SCHEME', protocol: url.protocol }
  }
  if (url.username || url.password) return { ok: false, code: 'E_URL_CREDENTIALS' }
  // Normalising percent-encodes what needs it, which can lengthen the URL past the column's bound.
  const normalised = url.toString()
  if (normalised.length > WEBHOOK_URL_MAX)
    return { ok: false, code: 'E_URL_TOO_LONG', max: WEBHOOK_URL_MAX }
  return { ok: true, url: normalised }
}
