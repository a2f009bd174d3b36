import { Readable } from 'node:stream'
import type { HttpContext } from '@adonisjs/core/http'

export type CsvValue =
  string | number | boolean | null | undefined | Date | { toISO(): string | null }

/**
 * One CSV record (RFC 4180: quoted when needed, quotes doubled, CRLF). A text cell that a
 * spreadsheet would run as a formula (= + - @, tab, CR first) gets a leading apostrophe
 * (OWASP's CSV-injection advice): exports carry text users typed, such as withdrawal reasons.
 */
export function csvRecord(values: CsvValue[]): string {
  return values.map(csvCell).join(',') + '\r\n'
}

function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  let text: string
  if (value instanceof Date) text = value.toISOString()
  else if (typeof value === 'object') text = value.toISO() ?? ''
  else if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  else text = value
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/**
 * Streams a CSV download: the header, then each row as the source yields it, so an export
 * of a large ledger or log never sits whole in memory. A UTF-8 BOM lets spreadsheets read
 * accents and names correctly.
 */
export function sendCsv(
  response: HttpContext['response'],
  filename: string,
  header: string[],
  rows: AsyncIterable<CsvValue[]> | Iterable<CsvValue[]>
) {
  async function* lines() {
    yield '\uFEFF' + csvRecord(header)
    for await (const row of rows) yield csvRecord(row)
  }
  response.header('content-type', 'text/csv; charset=utf-8')
  response.header(
    'content-disposition',
    `attachment; filename="${filename.replace(/[^\w.-]+/g, '_')}"`
  )
  response.header('cache-control', 'no-store')
  response.stream(Readable.from(lines()))
}

/**
 * Rows of a query in pages of `size`, by the caller's keyset: `page(after)` returns rows
 * strictly after the last one seen (ordered by a unique key), so a long export never uses
 * OFFSET and never holds more than one page.
 */
export async function* pages<Row>(
  page: (after: Row | null) => Promise<Row[]>,
  size: number
): AsyncGenerator<Row> {
  let after: Row | null = null
  while (true) {
    const rows = await page(after)
    yield* rows
    if (rows.length < size) return
    after = rows[rows.length - 1]
  }
}
