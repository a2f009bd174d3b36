import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import AuditLog from '#models/audit_log'
import type Clip from '#models/clip'
import type ConsentRecord from '#models/consent_record'
import type User from '#models/user'
import { ClipFactory } from '#database/factories/clip_factory'
import { ConsentRecordFactory } from '#database/factories/consent_record_factory'
import { ConsentTextFactory } from '#database/factories/consent_text_factory'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { licensedVersionWith } from '#tests/functional/consent/helpers'
import { parseCsv } from './helpers.js'

/** A withdrawal of `grant` for `clip`, as ConsentService.withdraw writes it. */
async function withdrawal(user: User, grant: ConsentRecord, clip: Clip) {
  const record = await ConsentRecordFactory.merge({
    userId: user.id,
    kind: 'withdrawal',
    withdrawsRecordId: grant.id,
    signature: user.fullName,
  }).create()
  await db.table('consent_record_clips').insert({ consent_record_id: record.id, clip_id: clip.id })
  await db
    .from('clips')
    .where('id', clip.id)
    .update({ status: 'withdrawn', withdrawn_at: new Date() })
  return record
}

/** Two text versions; Ana signs v1 (then withdraws it) and v2, Ben signs v2 for a minor. */
async function legalHistory() {
  const v1 = await ConsentTextFactory.create()
  const v2 = await ConsentTextFactory.create()
  const ana = await makeUser('creator', {
    fullName: 'Ana Consent',
    email: 'ana.consent@athera.test',
  })
  const ben = await makeUser('creator', { fullName: 'Ben Guarded' })
  const anaV1 = await ConsentRecordFactory.merge({ userId: ana.id, consentTextId: v1.id }).create()
  const sprint = await ClipFactory.apply('approved')
    .merge({ userId: ana.id, consentRecordId: anaV1.id, title: 'Sprint start, lane 4' })
    .create()
  const anaV2 = await ConsentRecordFactory.merge({ userId: ana.id, consentTextId: v2.id }).create()
  await ClipFactory.apply('approved')
    .merge({ userId: ana.id, consentRecordId: anaV2.id, title: 'Long jump, run-up' })
    .create()
  const benV2 = await ConsentRecordFactory.apply('minor')
    // A fixed name with an apostrophe: faker's names sometimes have one, and the page escapes it.
    .merge({ userId: ben.id, consentTextId: v2.id, guardianName: "Dana O'Brien" })
    .create()
  await ClipFactory.apply('approved')
    .merge({ userId: ben.id, consentRecordId: benV2.id, title: 'Free throw drill' })
    .create()
  return { v1, v2, ana, ben, anaV1, anaV2, benV2, sprint }
}

async function exported(client: any, admin: User, query: string) {
  const response = await client.get(`/admin/consent-log.csv?${query}`).loginAs(admin)
  response.assertStatus(200)
  return parseCsv(response.text())
}

test.group('Admin consent log', (group) => {
  group.each.setup(isolate)

  test('the CSV by text version holds exactly that version’s grants and their withdrawals', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const history = await legalHistory()
    const withdrawn = await withdrawal(history.ana, history.anaV1, history.sprint)

    const v1 = await exported(client, admin, 'version=1')
    assert.deepEqual(
      v1.map((row) => Number(row.id)),
      [withdrawn.id, history.anaV1.id]
    )
    // The database's own answer: records citing v1, and withdrawals of such records.
    const stored = await db
      .from('consent_records')
      .where('text_version', 1)
      .orWhereIn(
        'withdraws_record_id',
        db.from('consent_records').where('text_version', 1).select('id')
      )
      .orderBy('id', 'desc')
    assert.deepEqual(
      v1.map((row) => Number(row.id)),
      stored.map((row) => row.id)
    )
    assert.deepEqual(
      v1.map((row) => row.kind),
      ['withdrawal', 'grant']
    )
    assert.isTrue(
      v1.every((row) => row.text_version === '1' && row.text_sha256 === history.v1.sha256)
    )
    assert.equal(v1[0].withdraws_record_id, String(history.anaV1.id))
    assert.equal(v1[1].clip_ids, history.sprint.id)
    assert.equal(v1[1].ip, history.anaV1.ip)
    assert.equal(v1[1].user_agent, history.anaV1.userAgent)

    const v2 = await exported(client, admin, 'version=2&kind=grant')
    assert.deepEqual(
      v2.map((row) => Number(row.id)),
      [history.benV2.id, history.anaV2.id]
    )
    const minor = v2[0]
    assert.equal(minor.minor, 'true')
    assert.equal(minor.guardian_name, history.benV2.guardianName)
    assert.equal(minor.guardian_relationship, 'parent')
    assert.equal(minor.scopes, 'processing licensing')
    assert.equal(minor.user_email, history.ben.email)

    const exports = await AuditLog.query().where('action', 'consent_log.exported').orderBy('id')
    assert.deepEqual(
      exports.map((row) => row.meta.filters),
      [{ version: '1' }, { version: '2', kind: 'grant' }]
    )
  })

  test('the CSV by person and by clip; the page shows the same records with their receipts', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const history = await legalHistory()
    const withdrawn = await withdrawal(history.ana, history.anaV1, history.sprint)
    const anaIds = [withdrawn.id, history.anaV2.id, history.anaV1.id]

    for (const user of ['ana.consent@', 'ANA CONS']) {
      const rows = await exported(client, admin, `user=${encodeURIComponent(user)}`)
      assert.deepEqual(
        rows.map((row) => Number(row.id)),
        anaIds,
        user
      )
    }
    const stored = await db
      .from('consent_records')
      .where('user_id', history.ana.id)
      .orderBy('id', 'desc')
    assert.deepEqual(
      stored.map((row) => row.id),
      anaIds
    )

    for (const clip of [history.sprint.id, 'lane 4']) {
      const rows = await exported(client, admin, `clip=${encodeURIComponent(clip)}`)
      assert.deepEqual(
        rows.map((row) => Number(row.id)),
        [withdrawn.id, history.anaV1.id],
        clip
      )
    }

    const page = await client.get('/admin/consent-log?user=ana.consent%40').loginAs(admin)
    page.assertStatus(200)
    for (const id of anaIds) page.assertTextIncludes(`data-record="${id}"`)
    assert.notInclude(page.text(), `data-record="${history.benV2.id}"`)
    page.assertTextIncludes(`href="/consents/${withdrawn.id}"`)
    page.assertTextIncludes('href="/admin/consent-texts"')
    page.assertTextIncludes('href="/admin/consent-log.csv?user=ana.consent%40"')
    page.assertTextIncludes('data-counts="2/1"')

    const everyone = await client.get('/admin/consent-log').loginAs(admin)
    everyone.assertTextIncludes('badge-warning">minor</span> guardian')
    everyone.assertTextIncludes('Dana O&#x27;Brien')
    everyone.assertTextIncludes(history.v2.sha256.slice(0, 12))
    // The receipt behind the link opens for an admin.
    const asAdmin = await client.get(`/consents/${withdrawn.id}`).loginAs(admin)
    asAdmin.assertStatus(200)
  })

  test('an unreadable filter is explained and no CSV is exported', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const page = await client.get('/admin/consent-log?version=latest&kind=maybe').loginAs(admin)
    page.assertTextIncludes('Text version must be a version number, like 3.')
    page.assertTextIncludes('Kind must be grant or withdrawal.')
    const csv = await client
      .get('/admin/consent-log.csv?version=latest&user=ana')
      .loginAs(admin)
      .redirects(0)
    csv.assertStatus(302)
    assert.equal(csv.header('location'), '/admin/consent-log?user=ana')
    assert.match(String(csv.flashMessages().error), /Nothing exported/)
    assert.lengthOf(await AuditLog.query().where('action', 'consent_log.exported'), 0)
  })

  test('licences affected by withdrawals lists live and revoked licences with buyer, version and date', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const history = await legalHistory()
    const live = await licensedVersionWith(
      history.sprint,
      await makeUser('buyer', { companyName: 'Pose Labs GmbH' })
    )
    const revoked = await licensedVersionWith(
      history.sprint,
      await makeUser('buyer', { companyName: 'Refunded Inc' })
    )
    await db
      .from('licences')
      .where('id', revoked.licence.id)
      .update({ revoked_at: new Date(), revoke_reason: 'refund' })
    const untouched = await licensedVersionWith(
      await ClipFactory.apply('approved').create(),
      await makeUser('buyer', { companyName: 'Other Co' })
    )
    const withdrawn = await withdrawal(history.ana, history.anaV1, history.sprint)

    const page = await client.get('/admin/consent-log/licences').loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes(`data-affected-licence="${live.licence.id}" data-live="true"`)
    page.assertTextIncludes(`data-affected-licence="${revoked.licence.id}" data-live="false"`)
    assert.notInclude(page.text(), untouched.licence.id)
    page.assertTextIncludes('Pose Labs GmbH')
    page.assertTextIncludes('Refunded Inc')
    page.assertTextIncludes(`${live.dataset.title} v1`)
    page.assertTextIncludes(`href="/consents/${withdrawn.id}"`)
    page.assertTextIncludes(withdrawn.createdAt.toUTC().toISO()!.slice(0, 10))

    const withdrawals = await client.get('/admin/withdrawals').loginAs(admin)
    withdrawals.assertTextIncludes('href="/admin/consent-log/licences"')
  })

  test('creators, buyers and suspended accounts cannot read the log or export it', async ({
    client,
    assert,
  }) => {
    await legalHistory()
    for (const role of ['creator', 'buyer', 'suspended'] as const) {
      const user = await makeUser(role)
      for (const url of [
        '/admin/consent-log',
        '/admin/consent-log.csv',
        '/admin/consent-log/licences',
      ]) {
        const response = await client
          .get(url)
          .header('accept', 'text/html')
          .loginAs(user)
          .redirects(0)
        assert.equal(response.status(), role === 'suspended' ? 302 : 403, `${role} → ${url}`)
        assert.notInclude(response.text(), 'Ana Consent')
      }
    }
  })
})
