import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import testUtils from '@adonisjs/core/services/test_utils'
import User from '#models/user'
import DemoSeeder, { DEMO_ADMIN_EMAIL, DEMO_PASSWORD } from '#database/seeders/demo_seeder'

const TABLES = [
  'users',
  'consent_texts',
  'consent_records',
  'consent_record_clips',
  'clips',
  'processing_runs',
  'datasets',
  'dataset_versions',
  'dataset_version_clips',
  'orders',
  'licences',
  'ledger_entries',
  'transfers',
  'audit_logs',
  'settings',
] as const

async function counts() {
  const result: Record<string, number> = {}
  for (const table of TABLES) {
    const [{ count }] = await db.from(table).count('* as count')
    result[table] = Number(count)
  }
  return result
}

test.group('Demo seeder', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('fills a complete demo instance', async ({ assert }) => {
    const before = await counts()

    await new DemoSeeder(db.connection()).run()

    const after = await counts()
    const added = Object.fromEntries(TABLES.map((table) => [table, after[table] - before[table]]))
    assert.include(added, {
      users: 6,
      consent_records: 4,
      consent_record_clips: 12,
      clips: 12,
      datasets: 2,
      dataset_versions: 2,
      dataset_version_clips: 7,
      orders: 1,
      licences: 2,
      ledger_entries: 5,
      transfers: 3,
    })
    assert.isAtLeast(after.consent_texts, 1)
    assert.isAtLeast(after.settings, 10)

    const admin = await User.verifyCredentials(DEMO_ADMIN_EMAIL, DEMO_PASSWORD)
    assert.equal(admin.role, 'admin')
  })

  test('writes a paid order whose ledger balances with a 20% platform fee', async ({ assert }) => {
    await new DemoSeeder(db.connection()).run()

    const order = await db
      .from('orders')
      .where('stripe_checkout_session_id', 'cs_test_demo_0001')
      .firstOrFail()
    assert.equal(order.status, 'paid')
    assert.equal(order.platform_fee_cents, Math.round(order.amount_cents * 0.2))

    const groups = await db
      .from('ledger_entries')
      .where('order_id', order.id)
      .groupBy('group_id')
      .select('group_id')
      .sum('amount_cents as total')
    assert.lengthOf(groups, 1)
    assert.equal(Number(groups[0].total), 0)

    const [{ shares }] = await db
      .from('ledger_entries')
      .where({ order_id: order.id, kind: 'creator_share' })
      .sum('amount_cents as shares')
    assert.equal(Number(shares), order.amount_cents - order.platform_fee_cents)

    const licence = await db.from('licences').where('order_id', order.id).firstOrFail()
    assert.equal(licence.source, 'purchase')
  })

  test('running it twice changes nothing', async ({ assert }) => {
    await new DemoSeeder(db.connection()).run()
    const once = await counts()

    await new DemoSeeder(db.connection()).run()

    assert.deepEqual(await counts(), once)
  })
})
