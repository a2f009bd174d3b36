import { versionContaining } from '#tests/helpers/datasets'
import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditLog from '#models/audit_log'
import LedgerEntry from '#models/ledger_entry'
import ConsentText from '#models/consent_text'
import { ClipFactory } from '#database/factories/clip_factory'
import { ConsentRecordFactory } from '#database/factories/consent_record_factory'
import { ConsentTextFactory } from '#database/factories/consent_text_factory'
import LicenceText from '#models/licence_text'
import { UserFactory } from '#database/factories/user_factory'

/**
 * Runs SQL in a savepoint, so that the refusal we expect rolls back only that statement
 * and not the test's global transaction.
 */
function attempt(sql: string, bindings: unknown[] = []) {
  return db.transaction((trx) => trx.rawQuery(sql, bindings as any[]))
}

async function publishedVersion() {
  const clip = await ClipFactory.apply('approved').create()
  const { version } = await versionContaining(clip)
  return { clip, version }
}

test.group('Append-only tables', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a consent record cannot be updated or deleted', async ({ assert }) => {
    const record = await ConsentRecordFactory.create()

    await assert.rejects(
      () =>
        attempt(`UPDATE consent_records SET signature = 'someone else' WHERE id = ?`, [record.id]),
      /table consent_records is append-only/
    )
    await assert.rejects(
      () => attempt('DELETE FROM consent_records WHERE id = ?', [record.id]),
      /table consent_records is append-only/
    )
  })

  test('the clips a consent record covers cannot be changed', async ({ assert }) => {
    const clip = await ClipFactory.create()

    await assert.rejects(
      () => attempt('DELETE FROM consent_record_clips WHERE clip_id = ?', [clip.id]),
      /table consent_record_clips is append-only/
    )
  })

  test('a published consent text cannot be updated or deleted', async ({ assert }) => {
    const text = await ConsentTextFactory.create()

    await assert.rejects(
      () => attempt(`UPDATE consent_texts SET body = 'softer wording' WHERE id = ?`, [text.id]),
      /table consent_texts is append-only/
    )
    await assert.rejects(
      () => attempt('DELETE FROM consent_texts WHERE id = ?', [text.id]),
      /table consent_texts is append-only/
    )
  })

  test('a dataset version and its clip list cannot be updated or deleted', async ({ assert }) => {
    const { clip, version } = await publishedVersion()

    await assert.rejects(
      () => attempt('UPDATE dataset_versions SET price_cents = 1 WHERE id = ?', [version.id]),
      /table dataset_versions is append-only/
    )
    await assert.rejects(
      () => attempt('DELETE FROM dataset_versions WHERE id = ?', [version.id]),
      /table dataset_versions is append-only/
    )
    await assert.rejects(
      () => attempt('DELETE FROM dataset_version_clips WHERE clip_id = ?', [clip.id]),
      /table dataset_version_clips is append-only/
    )
  })

  test('a published licence text cannot be updated or deleted', async ({ assert }) => {
    const text = await LicenceText.query().where('licence_type', 'research').firstOrFail()

    await assert.rejects(
      () => attempt(`UPDATE licence_texts SET body = 'softer wording' WHERE id = ?`, [text.id]),
      /table licence_texts is append-only/
    )
    await assert.rejects(
      () => attempt('DELETE FROM licence_texts WHERE id = ?', [text.id]),
      /table licence_texts is append-only/
    )
    await text.refresh()
    assert.equal(text.sha256, LicenceText.hashBody(text.body))
  })

  test('a licence text hash must match its body, and a licence cites a published text of its own type', async ({
    assert,
  }) => {
    const { version } = await publishedVersion()
    const cited = async (type: 'research' | 'commercial') => {
      const text = await LicenceText.query().where('licence_type', type).firstOrFail()
      return { id: text.id, version: text.version, sha256: text.sha256 }
    }
    const research = await cited('research')
    const commercial = await cited('commercial')
    const buyer = await UserFactory.create()
    const insert = (text: { id: number; version: number; sha256: string }, type = 'research') =>
      attempt(
        `INSERT INTO licences (buyer_id, dataset_version_id, source, licence_type, licence_text_id, terms_version, terms_sha256)
         VALUES (?, ?, 'grant', ?, ?, ?, ?)`,
        [buyer.id, version.id, type, text.id, text.version, text.sha256]
      )

    await assert.rejects(
      () =>
        attempt(
          `INSERT INTO licence_texts (licence_type, version, title, body, sha256) VALUES ('research', 99, 't', 'body', ?)`,
          ['0'.repeat(64)]
        ),
      /licence_texts_sha256_matches_body/
    )
    await assert.rejects(
      () => insert({ ...research, sha256: 'f'.repeat(64) }),
      /licences_text_fkey/
    )
    await assert.rejects(
      () => insert({ ...research, version: research.version + 7 }),
      /licences_text_fkey/
    )
    await assert.rejects(() => insert(commercial, 'research'), /licences_text_fkey/)
    await insert(research)
  })

  test('an audit log entry cannot be updated or deleted', async ({ assert }) => {
    const log = await AuditLog.create({ action: 'settings.update', meta: { key: 'currency' } })

    await assert.rejects(
      () => attempt(`UPDATE audit_logs SET action = 'nothing' WHERE id = ?`, [log.id]),
      /table audit_logs is append-only/
    )
    await assert.rejects(
      () => attempt('DELETE FROM audit_logs WHERE id = ?', [log.id]),
      /table audit_logs is append-only/
    )
  })

  test('a ledger entry cannot be updated or deleted', async ({ assert }) => {
    const groupId = randomUUID()
    await db.table('ledger_entries').multiInsert([
      { group_id: groupId, kind: 'sale', account: 'cash', amount_cents: -1000, currency: 'USD' },
      {
        group_id: groupId,
        kind: 'platform_fee',
        account: 'platform_revenue',
        amount_cents: 1000,
        currency: 'USD',
      },
    ])

    await assert.rejects(
      () => attempt('UPDATE ledger_entries SET amount_cents = 1 WHERE group_id = ?', [groupId]),
      /table ledger_entries is append-only/
    )
    await assert.rejects(
      () => attempt('DELETE FROM ledger_entries WHERE group_id = ?', [groupId]),
      /table ledger_entries is append-only/
    )
  })
})

test.group('Consent record constraints', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('consent for a minor without a guardian is refused', async ({ assert }) => {
    await assert.rejects(
      () =>
        db.transaction((trx) =>
          ConsentRecordFactory.merge({
            subject: 'minor',
            guardianName: null,
            guardianRelationship: null,
          })
            .client(trx)
            .create()
        ),
      /consent_records_minor_guardian/
    )
    await assert.rejects(
      () =>
        db.transaction((trx) =>
          ConsentRecordFactory.merge({
            subject: 'minor',
            guardianName: 'Ana Ruiz',
            guardianRelationship: ' ',
          })
            .client(trx)
            .create()
        ),
      /consent_records_minor_guardian/
    )
  })

  test('consent for a minor with a guardian is recorded', async ({ assert }) => {
    const record = await ConsentRecordFactory.apply('minor').create()

    assert.equal(record.subject, 'minor')
    assert.isNotNull(record.guardianName)
  })

  test('a withdrawal must name the grant it withdraws', async ({ assert }) => {
    const grant = await ConsentRecordFactory.create()

    await assert.rejects(
      () =>
        db.transaction((trx) =>
          ConsentRecordFactory.merge({ userId: grant.userId, kind: 'withdrawal' })
            .client(trx)
            .create()
        ),
      /consent_records_withdrawal_target/
    )
    const withdrawal = await ConsentRecordFactory.merge({
      userId: grant.userId,
      kind: 'withdrawal',
      withdrawsRecordId: grant.id,
    }).create()
    assert.equal(withdrawal.withdrawsRecordId, grant.id)
  })

  test('a grant cannot cite a text version or hash that was not published', async ({ assert }) => {
    const text = await ConsentTextFactory.create()

    await assert.rejects(
      () =>
        db.transaction((trx) =>
          ConsentRecordFactory.merge({
            consentTextId: text.id,
            textVersion: text.version,
            textSha256: 'f'.repeat(64),
          })
            .client(trx)
            .create()
        ),
      /consent_records_text_fkey/
    )
  })

  test('a consent text hash must match its body', async ({ assert }) => {
    await assert.rejects(
      () =>
        attempt(
          `INSERT INTO consent_texts (version, title, body, sha256) VALUES (9999, 't', 'body', ?)`,
          ['0'.repeat(64)]
        ),
      /consent_texts_sha256_matches_body/
    )
    const text = await ConsentText.create({ version: 9999, title: 't', body: 'body' })
    assert.equal(text.sha256, ConsentText.hashBody('body'))
  })
})

/**
 * The balance check runs at COMMIT, which a test inside the global transaction never reaches:
 * these tests commit for real and empty the table afterwards (TRUNCATE is not refused).
 */
test.group('Ledger groups balance at commit', (group) => {
  group.each.teardown(async () => {
    await db.rawQuery('TRUNCATE ledger_entries')
  })

  const unbalanced = (groupId: string) => [
    { group_id: groupId, kind: 'sale', account: 'cash', amount_cents: -5900, currency: 'USD' },
    {
      group_id: groupId,
      kind: 'platform_fee',
      account: 'platform_revenue',
      amount_cents: 1180,
      currency: 'USD',
    },
  ]

  test('PostgreSQL refuses to commit an unbalanced group', async ({ assert }) => {
    const groupId = randomUUID()

    // knex resolves commit() although the COMMIT failed: only the missing rows show it.
    await db.transaction(async (trx) => {
      await trx.table('ledger_entries').multiInsert(unbalanced(groupId))
    })

    const rows = await db.from('ledger_entries').where('group_id', groupId)
    assert.lengthOf(rows, 0)
  })

  test('assertBalanced reports an unbalanced group to the caller', async ({ assert }) => {
    const groupId = randomUUID()

    await assert.rejects(
      () =>
        db.transaction(async (trx) => {
          await trx.table('ledger_entries').multiInsert(unbalanced(groupId))
          await LedgerEntry.assertBalanced(trx)
        }),
      /ledger group .* does not balance/
    )
  })

  test('a balanced group is accepted, even when written in several statements', async ({
    assert,
  }) => {
    const groupId = randomUUID()

    await db.transaction(async (trx) => {
      const entry = { group_id: groupId, currency: 'USD' }
      await trx
        .table('ledger_entries')
        .insert({ ...entry, kind: 'sale', account: 'cash', amount_cents: -5900 })
      await trx
        .table('ledger_entries')
        .insert({ ...entry, kind: 'platform_fee', account: 'platform_revenue', amount_cents: 1180 })
      await trx
        .table('ledger_entries')
        .insert({ ...entry, kind: 'creator_share', account: 'creator_payable', amount_cents: 4720 })
      await LedgerEntry.assertBalanced(trx)
    })

    const [{ total, count }] = await db
      .from('ledger_entries')
      .where('group_id', groupId)
      .sum('amount_cents as total')
      .count('* as count')
    assert.equal(Number(count), 3)
    assert.equal(Number(total), 0)
  })

  test('a group mixing currencies is refused', async ({ assert }) => {
    const groupId = randomUUID()

    await assert.rejects(
      () =>
        db.transaction(async (trx) => {
          await trx.table('ledger_entries').multiInsert([
            {
              group_id: groupId,
              kind: 'sale',
              account: 'cash',
              amount_cents: -100,
              currency: 'USD',
            },
            {
              group_id: groupId,
              kind: 'sale',
              account: 'cash',
              amount_cents: 100,
              currency: 'EUR',
            },
          ])
          await LedgerEntry.assertBalanced(trx)
        }),
      /ledger group .* mixes currencies/
    )
  })
})
