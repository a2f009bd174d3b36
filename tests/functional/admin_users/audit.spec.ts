import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import AuditLog from '#models/audit_log'
import { AUDIT_PAGE_SIZE } from '#app/admin/audit_log_service'
import { AuditTrail } from '#app/core/audit_trail'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'

function shownIds(html: string) {
  return [...html.matchAll(/data-audit="(\d+)"/g)].map((match) => Number(match[1]))
}

test.group('Audit log', (group) => {
  group.each.setup(isolate)

  test('lists entries newest first with actor and readable details', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const audit = new AuditTrail()
    const first = await audit.record({
      actorId: admin.id,
      action: 'user.suspended',
      subject: { type: 'user', id: 7 },
      meta: { email: 'x@club.org', apiTokensRevoked: 2 },
      ip: '10.0.0.1',
    })
    const second = await audit.record({
      actorId: null,
      action: 'clip.raw_purged',
      subject: { type: 'clip', id: 'c1' },
      meta: { sports: ['a', 'b'], nested: { to: 1 } },
    })

    const page = await client.get('/admin/audit').loginAs(admin)
    page.assertStatus(200)
    assert.deepEqual(shownIds(page.text()), [second.id, first.id])
    page.assertTextIncludes('api tokens revoked')
    page.assertTextIncludes('a, b')
    page.assertTextIncludes('{&quot;to&quot;:1}')
    page.assertTextIncludes('system')
    page.assertTextIncludes('10.0.0.1')
  })

  test('filters by actor, action, subject and dates', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const other = await makeUser('admin')
    const audit = new AuditTrail()
    // The log is append-only in the database: an old entry is written as old, before the others.
    const yesterday = await AuditLog.create({
      actorId: admin.id,
      action: 'user.reactivated',
      subjectType: 'user',
      subjectId: '5',
      meta: {},
      createdAt: DateTime.now().minus({ days: 3 }),
    })
    const mine = await audit.record({
      actorId: admin.id,
      action: 'user.role_changed',
      subject: { type: 'user', id: 5 },
    })
    const theirs = await audit.record({
      actorId: other.id,
      action: 'user.suspended',
      subject: { type: 'user', id: 6 },
    })
    const setting = await audit.record({
      actorId: other.id,
      action: 'setting.changed',
      subject: { type: 'setting', id: 'currency' },
    })
    const system = await audit.record({
      actorId: null,
      action: 'clip.raw_purged',
      subject: { type: 'clip', id: 'abc' },
    })

    const get = async (query: string) => {
      const response = await client.get(`/admin/audit?${query}`).loginAs(admin)
      return shownIds(response.text())
    }
    assert.deepEqual(await get(`actor=${encodeURIComponent(other.email)}`), [setting.id, theirs.id])
    assert.deepEqual(await get(`actor=${admin.id}`), [mine.id, yesterday.id])
    assert.deepEqual(await get('actor=system'), [system.id])
    assert.deepEqual(await get('actor=nobody%40club.org'), [])
    assert.deepEqual(await get('action=user.'), [theirs.id, mine.id, yesterday.id])
    assert.deepEqual(await get('action=user.suspended'), [theirs.id])
    assert.deepEqual(await get('subjectType=user&subjectId=5'), [mine.id, yesterday.id])
    const today = DateTime.now().toISODate()
    assert.deepEqual(await get(`from=${today}&to=${today}&subjectType=user`), [theirs.id, mine.id])
    const threeDaysAgo = DateTime.now().minus({ days: 3 }).toISODate()
    assert.deepEqual(await get(`to=${threeDaysAgo}`), [yesterday.id])
  })

  test('pages with a keyset, keeping the filters', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const audit = new AuditTrail()
    const ids: number[] = []
    for (let index = 0; index < AUDIT_PAGE_SIZE + 2; index++) {
      const entry = await audit.record({
        actorId: admin.id,
        action: 'invitation.created',
        subject: { type: 'invitation', id: index },
      })
      ids.push(entry.id)
    }
    await audit.record({ actorId: admin.id, action: 'user.suspended' })

    const first = await client.get('/admin/audit?action=invitation.created').loginAs(admin)
    const firstIds = shownIds(first.text())
    assert.lengthOf(firstIds, AUDIT_PAGE_SIZE)
    assert.equal(firstIds[0], ids[ids.length - 1])
    const next = first
      .text()
      .match(/href="(\/admin\/audit\?[^"]*before=\d+)"/)![1]
      .replace(/&amp;/g, '&')
    assert.include(next, 'action=invitation.created')
    const second = await client.get(next).loginAs(admin)
    assert.deepEqual(shownIds(second.text()), [ids[1], ids[0]])
    assert.notMatch(second.text(), /rel="next"/)
  })

  test('bad filters answer 422 with the reason', async ({ client }) => {
    const admin = await makeUser('admin')
    const response = await client
      .get('/admin/audit?from=2024-13-45&action=DROP%20TABLE&before=abc')
      .loginAs(admin)
    response.assertStatus(422)
    response.assertTextIncludes('Enter the first day as YYYY-MM-DD.')
    response.assertTextIncludes(
      'An action looks like user.suspended, or user. for every user action.'
    )
    response.assertTextIncludes('That page link is broken: start from the newest entries.')
  })

  test('only admins read it', async ({ client }) => {
    const buyer = await makeUser('buyer')
    const response = await client.get('/admin/audit').loginAs(buyer)
    response.assertStatus(403)
  })
})
