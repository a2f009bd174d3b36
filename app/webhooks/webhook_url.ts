/** The longest URL an endpoint may have (the column's bound). */
export const WEBHOOK_URL_MAX = 2000

/** The URL as typed, or a sentence saying why it cannot receive events. */
export function checkWebhookUrl(
  raw: string
): { ok: true; url: string } | { ok: false; message: string } {
  const value = raw.trim()
  if (value.length === 0)
    return { ok: false, message: 'Enter the URL that should receive the events.' }
  if (value.length > WEBHOOK_URL_MAX)
    return { ok: false, message: `The URL is too long (at most ${WEBHOOK_URL_MAX} characters).` }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return {
      ok: false,
      message: 'This is not a URL: it should look like https://example.com/athera/events.',
    }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: 'Only http:// and https:// URLs can receive events.' }
  }
  if (url.username || url.password) {
    return {
      ok: false,
      message:
        'Leave the user name and password out of the URL: the signature authenticates each event.',
    }
  }
  // Normalising percent-encodes what needs it, which can lengthen the URL past the column's bound.
  const normalised = url.toString()
  if (normalised.length > WEBHOOK_URL_MAX)
    return { ok: false, message: `The URL is too long (at most ${WEBHOOK_URL_MAX} characters).` }
  return { ok: true, url: normalised }
}
