import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import AuditLog from '#models/audit_log'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { parseCsv } from './helpers.js'

/**
 * One balanced sale group at `at`: cash out, the platform fee and two creators' shares.
 * Returns the ids of the entries written, by role.
 */
async function saleAt(at: string, creators: [number, number], memo = 'Share by clip seconds') {
  const groupId = randomUUID()
  const base = { group_id: groupId, currency: 'USD', created_at: at }
  const ids: { id: number }[] = await db
    .table('ledger_entries')
    .multiInsert([
      {
        ...base,
        kind: 'sale',
        account: 'cash',
        user_id: null,
        amount_cents: -1000,
        memo: 'Checkout cs_test',
      },
      {
        ...base,
        kind: 'platform_fee',
        account: 'platform_revenue',
        user_id: null,
        amount_cents: 200,
        memo: 'Platform fee',
      },
      {
        ...base,
        kind: 'creator_share',
        account: 'creator_payable',
        user_id: creators[0],
        amount_cents: 500,
        memo,
      },
      {
        ...base,
        kind: 'creator_share',
        account: 'creator_payable',
        user_id: creators[1],
        amount_cents: 300,
        memo,
      },
    ])
    .returning('id')
  return { cash: ids[0].id, fee: ids[1].id, first: ids[2].id, second: ids[3].id }
}

test.group('Admin ledger: filters, sums, CSV', (group) => {
  group.each.setup(isolate)

  test('the CSV export holds exactly the rows filtered by creator and dates', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const ana = await makeUser('creator', { email: 'Ana.Ledger@athera.test' })
    const ben = await makeUser('creator')
    const january = await saleAt('2026-01-10T12:00:00Z', [ana.id, ben.id])
    const february = await saleAt('2026-02-15T08:30:00Z', [ana.id, ben.id])
    // The last minute of the "to" day is in; the first second after it is out.
    const lastMinute = await saleAt('2026-03-20T23:59:00Z', [ana.id, ben.id])
    const nextDay = await saleAt('2026-03-21T00:00:01Z', [ana.id, ben.id])
    const expected = [lastMinute.first, february.first]

    for (const creator of [String(ana.id), 'ana.ledger@ATHERA.test']) {
      const query = `creator=${encodeURIComponent(creator)}&from=2026-02-01&to=2026-03-20`
      const csv = await client.get(`/admin/ledger.csv?${query}`).loginAs(admin)
      csv.assertStatus(200)
      assert.match(csv.header('content-type') ?? '', /^text\/csv/)
      const rows = parseCsv(csv.text())
      assert.deepEqual(
        rows.map((row) => Number(row.id)),
        expected,
        creator
      )

      // The same rows as the database has them, field by field.
      const stored = await db.from('ledger_entries').whereIn('id', expected).orderBy('id', 'desc')
      assert.deepEqual(
        rows.map((row) => ({
          id: Number(row.id),
          amount: Number(row.amount_cents),
          user: Number(row.user_id),
          kind: row.kind,
          account: row.account,
          group: row.group_id,
        })),
        stored.map((row) => ({
          id: row.id,
          amount: Number(row.amount_cents),
          user: row.user_id,
          kind: row.kind,
          account: row.account,
          group: row.group_id,
        }))
      )
      assert.isTrue(rows.every((row) => row.user_email === ana.email))

      const page = await client.get(`/admin/ledger?${query}`).loginAs(admin)
      page.assertStatus(200)
      for (const id of expected) page.assertTextIncludes(`data-entry="${id}"`)
      for (const id of [january.first, nextDay.first, february.second])
        assert.notInclude(page.text(), `data-entry="${id}"`)
      page.assertTextIncludes('data-sum="USD" data-sum-entries="2" data-sum-net="1000"')
      page.assertTextIncludes(`href="/admin/ledger.csv?${query.replace(/&/g, '&amp;')}"`)
    }
    const exports = await AuditLog.query().where('action', 'ledger.exported').orderBy('id')
    assert.deepEqual(
      exports.map((row) => row.meta.filters),
      [
        { creator: String(ana.id), from: '2026-02-01', to: '2026-03-20' },
        { creator: 'ana.ledger@ATHERA.test', from: '2026-02-01', to: '2026-03-20' },
      ]
    )
    assert.isTrue(exports.every((row) => row.actorId === admin.id))
  })

  test('account, kind and memo filters; the sums cover every filtered row; pages follow the keyset', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const [ana, ben] = [await makeUser('creator'), await makeUser('creator')]
    const written = []
    for (let day = 1; day <= 15; day++)
      written.push(
        await saleAt(
          `2026-04-${String(day).padStart(2, '0')}T10:00:00Z`,
          [ana.id, ben.id],
          day % 2 ? 'odd day' : 'even day'
        )
      )

    const cashExport = await client.get('/admin/ledger.csv?account=cash').loginAs(admin)
    const cash = parseCsv(cashExport.text())
    assert.deepEqual(
      cash.map((row) => Number(row.id)),
      written.map((sale) => sale.cash).reverse()
    )
    assert.isTrue(cash.every((row) => row.amount_cents === '-1000' && row.kind === 'sale'))

    const oddExport = await client
      .get('/admin/ledger.csv?kind=creator_share&memo=ODD')
      .loginAs(admin)
    const odd = parseCsv(oddExport.text())
    assert.lengthOf(odd, 16, '8 odd days × 2 creators')
    assert.isTrue(odd.every((row) => row.memo === 'odd day'))

    // 60 entries: a page of 50, then 10 after the cursor, none twice; the sums are of all 60.
    const first = await client.get('/admin/ledger').loginAs(admin)
    first.assertTextIncludes('data-sum="USD" data-sum-entries="60" data-sum-net="0"')
    const ids = (html: string) =>
      [...html.matchAll(/data-entry="(\d+)"/g)].map((match) => Number(match[1]))
    const firstIds = ids(first.text())
    assert.lengthOf(firstIds, 50)
    const next = first
      .text()
      .match(/href="([^"]+)" class="btn-secondary" rel="next"/)![1]
      .replace(/&amp;/g, '&')
    const second = await client.get(next).loginAs(admin)
    const secondIds = ids(second.text())
    assert.lengthOf(secondIds, 10)
    assert.deepEqual(
      [...firstIds, ...secondIds],
      written
        .flatMap((sale) => [sale.cash, sale.fee, sale.first, sale.second])
        .sort((a, b) => b - a)
    )
    second.assertTextIncludes('data-sum-entries="60"')
  })

  test('an unreadable filter is explained on the page and no CSV is exported', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const page = await client
      .get('/admin/ledger?account=bank&from=31/12/2026&order=42')
      .loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes(
      'Account must be one of cash, platform_revenue, creator_payable, disputed_funds.'
    )
    page.assertTextIncludes('From must be a date like 2026-03-31.')
    page.assertTextIncludes('Order must be an order id')

    const csv = await client.get('/admin/ledger.csv?kind=gift').loginAs(admin).redirects(0)
    csv.assertStatus(302)
    assert.equal(csv.header('location'), '/admin/ledger')
    assert.match(String(csv.flashMessages().error), /Nothing exported: Kind must be one of/)
    assert.lengthOf(await AuditLog.query().where('action', 'ledger.exported'), 0)
  })
})
