/*
 * Keyset pagination's cursor: the last card's sort key and id, opaque to the visitor
 * (base64url of a JSON pair). Anything malformed reads as "first page", never an error.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** What a sort key may look like, by the column's type: the value goes into SQL as a cast parameter. */
export const CURSOR_SHAPES = {
  integer: /^\d{1,10}$/,
  timestamptz: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/,
}

export function encodeCursor(value: [string, string]) {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/** A cursor from the URL; anything malformed reads as "first page". */
export function decodeCursor(
  cursor: string | null | undefined,
  shape: RegExp
): [string, string] | null {
  if (!cursor) return null
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      UUID.test(value[1])
    ) {
      if (!shape.test(value[0])) return null
      return [value[0], value[1]]
    }
  } catch {}
  return null
}
