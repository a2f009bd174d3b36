import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { csvRecord, pages } from '#app/core/csv'

test.group('CSV records', () => {
  test('quotes only what needs quoting and doubles quotes', ({ assert }) => {
    assert.equal(
      csvRecord(['plain', 'a,b', 'say "hi"', 'two\nlines', 42, true, null, undefined]),
      'plain,"a,b","say ""hi""","two\nlines",42,true,,\r\n'
    )
  })

  test('dates are ISO 8601', ({ assert }) => {
    const at = DateTime.fromISO('2026-11-25T10:00:00.000Z', { zone: 'utc' })
    assert.equal(
      csvRecord([new Date('2026-01-02T03:04:05.000Z'), at]),
      '2026-01-02T03:04:05.000Z,2026-11-25T10:00:00.000Z\r\n'
    )
  })

  test('text a spreadsheet would run as a formula is defused, numbers are not', ({ assert }) => {
    assert.equal(
      csvRecord(['=HYPERLINK("x")', '+1', '-2', '@SUM(A1)', -5]),
      `"'=HYPERLINK(""x"")",'+1,'-2,'@SUM(A1),-5\r\n`
    )
  })
})

test.group('CSV pages', () => {
  test('walks a keyset until a short page, passing the last row seen', async ({ assert }) => {
    const data = Array.from({ length: 7 }, (_, index) => ({ id: index + 1 }))
    const seen: (number | null)[] = []
    const rows = []
    for await (const row of pages<{ id: number }>(async (after) => {
      seen.push(after?.id ?? null)
      return data.filter((item) => item.id > (after?.id ?? 0)).slice(0, 3)
    }, 3))
      rows.push(row.id)
    assert.deepEqual(rows, [1, 2, 3, 4, 5, 6, 7])
    assert.deepEqual(seen, [null, 3, 6])
  })
})
