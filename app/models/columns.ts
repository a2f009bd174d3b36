import { createHash } from 'node:crypto'

/**
 * Column options shared by the models. node-postgres turns a JS array into a PostgreSQL
 * array literal and a string into text, neither of which is JSON, so jsonb values are
 * serialized here; reads come back parsed already.
 */
export const jsonb = {
  prepare: (value: unknown) => (value === undefined ? value : JSON.stringify(value)),
}

/** bigint and numeric arrive as strings (they may exceed 2^53); our values never do. */
export const numeric = {
  consume: (value: string | number | null) => (value === null ? null : Number(value)),
}

/**
 * The hash a published text (consent or licence wording) is cited by: hex SHA-256 of its
 * UTF-8 body, the same value the tables' CHECK constraints compute.
 */
export function bodySha256(body: string) {
  return createHash('sha256').update(body, 'utf8').digest('hex')
}
