import { DateTime } from 'luxon'

/**
 * Reading the admin consoles' filter query strings. A filter that cannot be read is dropped
 * with a sentence for the page, never a 500; the same parsed filters drive a page and its
 * CSV export, so the export holds exactly the rows the page filtered.
 */

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A query-string value as trimmed text ('' when absent, repeated or not text). */
export function text(value: unknown, max = 200) {
  return typeof value === 'string' ? value.trim().slice(0, max) : ''
}

/** `value` if it is one of `allowed`, else undefined with `message` added to `errors`. */
export function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  errors: string[],
  message: string
): T | undefined {
  const raw = text(value)
  if (!raw) return undefined
  if ((allowed as readonly string[]).includes(raw)) return raw as T
  errors.push(message)
  return undefined
}

/**
 * `from` and `to` as calendar days (YYYY-MM-DD, UTC), both included. Returns the days as
 * typed and the instants the query compares with: `since` ≤ created_at < `until`.
 */
export function dayRange(query: Record<string, unknown>, errors: string[]) {
  const day = (name: 'from' | 'to', label: string) => {
    const raw = text(query[name], 10)
    if (!raw) return undefined
    const parsed = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? DateTime.fromISO(raw, { zone: 'utc' }) : null
    if (parsed?.isValid) return { raw, at: parsed }
    errors.push(`${label} must be a date like 2026-03-31.`)
    return undefined
  }
  const from = day('from', 'From')
  let to = day('to', 'To')
  if (from && to && to.at < from.at) {
    errors.push('"To" is before "From"; the end date was ignored.')
    to = undefined
  }
  return {
    from: from?.raw,
    to: to?.raw,
    since: from ? from.at.toJSDate() : undefined,
    until: to ? to.at.plus({ days: 1 }).toJSDate() : undefined,
  }
}

/** A person named by their numeric id or their e-mail address, as typed in a filter. */
export function personRef(value: unknown, errors: string[], label: string) {
  const raw = text(value, 254)
  if (!raw) return undefined
  if (/^\d{1,9}$/.test(raw)) return { raw, id: Number(raw) }
  if (raw.includes('@')) return { raw, email: raw.toLowerCase() }
  errors.push(`${label}: enter an account id (a number) or an e-mail address.`)
  return undefined
}

/** The filters' query string (empty values left out), with the page cursor when given. */
export function toQueryString(
  filters: Record<string, string | number | undefined>,
  after?: string | number | null
) {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(filters)) {
    if (value !== undefined && value !== '') params.set(name, String(value))
  }
  if (after !== undefined && after !== null) params.set('after', String(after))
  return params.toString()
}

/** The keyset cursor of a page (an id), or null. */
export function afterId(value: unknown) {
  const raw = text(value, 12)
  return /^\d{1,12}$/.test(raw) ? Number(raw) : null
}
