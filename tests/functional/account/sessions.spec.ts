import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import type User from '#models/user'
import { AccountService } from '#app/accounts/account_service'
import { HttpSession } from '#tests/helpers/http_session'
import { startAppServer } from '#tests/helpers/app_server'
import { isolate } from '#tests/helpers/reset'
import { makeUser, TEST_PASSWORD } from '#tests/helpers/users'

/**
 * The user's session ids in Redis that are still signed in as them (the tag set is pruned
 * lazily, and a revoked cookie's next request starts an anonymous session under its old id).
 */
async function liveSessions(userId: number) {
  const ids = await redis.smembers(`session_tag:${userId}`)
  const live = await Promise.all(
    ids.map(async (id) => {
      const stored = await redis.get(id)
      return stored && JSON.parse(stored).message?.auth_web === userId ? id : null
    })
  )
  return live.filter(Boolean)
}

/** Whether the visitor is still signed in: an account page answers 200, not a redirect to /login. */
async function signedIn(session: HttpSession) {
  const response = await session.fetch('/account/password')
  return response.status === 200
}

/** The handles listed on the account's sessions page, the current one marked. */
async function listed(session: HttpSession) {
  const { html } = await session.load('/account/sessions')
  return [...html.matchAll(/data-session="([0-9a-f]{24})"/g)].map((match) => match[1])
}

/*
 * Against compose's store: a server process of this checkout started with SESSION_DRIVER=redis
 * (the test process itself keeps the memory store its API client needs). Rows are committed,
 * because that server cannot see a test transaction, and removed after each test.
 */
test.group('Sessions in Redis: listed and revoked', (group) => {
  let server: Awaited<ReturnType<typeof startAppServer>>
  group.setup(async () => {
    server = await startAppServer({ SESSION_DRIVER: 'redis' })
    return () => server.stop()
  })

  let users: User[] = []
  group.each.teardown(async () => {
    const ids = users.map((made) => made.id)
    // The suspension's audit row is append-only (a trigger): a replica session skips triggers,
    // so this test's committed rows can go and later tests find the instance as it was.
    await db.transaction(async (trx) => {
      await trx.rawQuery('SET LOCAL session_replication_role = replica')
      await trx.from('audit_logs').whereIn('actor_id', ids).delete()
      await trx.from('users').whereIn('id', ids).delete()
    })
    users = []
  })
  async function user(role: 'creator' | 'admin' = 'creator') {
    const made = await makeUser(role)
    users.push(made)
    // Ids restart with each run's fresh database; Redis keeps an earlier run's index.
    await redis.del(`session_tag:${made.id}`)
    return made
  }

  test('a password change signs out every other session, in Redis too', async ({ assert }) => {
    const owner = await user()
    const phone = await HttpSession.login(owner.email, TEST_PASSWORD, server.url)
    const laptop = await HttpSession.login(owner.email, TEST_PASSWORD, server.url)
    assert.lengthOf(await liveSessions(owner.id), 2)
    assert.lengthOf(await listed(laptop), 2)

    const response = await laptop.form('/account/password?_method=PUT', {
      currentPassword: TEST_PASSWORD,
      password: 'a brand new secret',
      passwordConfirmation: 'a brand new secret',
    })
    assert.equal(response.status, 302)

    assert.isFalse(await signedIn(phone), 'the other session is gone')
    assert.isTrue(await signedIn(laptop), 'the session that changed it stays')
    assert.lengthOf(await listed(laptop), 1)
  }).timeout(60_000)

  test('a password reset signs out every session', async ({ assert }) => {
    const owner = await user()
    const phone = await HttpSession.login(owner.email, TEST_PASSWORD, server.url)
    const accounts = await app.container.make(AccountService)
    const token = await accounts.createResetToken(owner)

    const visitor = new HttpSession(server.url)
    await visitor.load(`/password/reset/${token}`)
    const reset = await visitor.form(`/password/reset/${token}`, {
      password: 'reset to this one',
      passwordConfirmation: 'reset to this one',
    })
    assert.equal(reset.headers.get('location'), '/login')
    assert.isFalse(await signedIn(phone))
    assert.deepEqual(await liveSessions(owner.id), [])
  }).timeout(60_000)

  test('a suspension signs out every session at once', async ({ assert }) => {
    const owner = await user()
    const admin = await user('admin')
    const phone = await HttpSession.login(owner.email, TEST_PASSWORD, server.url)
    const adminSession = await HttpSession.login(admin.email, TEST_PASSWORD, server.url)
    await adminSession.load('/admin/users')
    const suspended = await adminSession.form(`/admin/users/${owner.id}/suspension`)
    assert.equal(suspended.status, 302)

    // The session itself is gone from Redis, not only refused because of the flag.
    assert.deepEqual(await liveSessions(owner.id), [])
    await db.from('users').where('id', owner.id).update({ suspended_at: null })
    assert.isFalse(await signedIn(phone))
  }).timeout(60_000)

  test('the account page signs out one device, then all others', async ({ assert }) => {
    const owner = await user()
    const phone = await HttpSession.login(owner.email, TEST_PASSWORD, server.url)
    const tablet = await HttpSession.login(owner.email, TEST_PASSWORD, server.url)
    const laptop = await HttpSession.login(owner.email, TEST_PASSWORD, server.url)
    const { html } = await laptop.load('/account/sessions')
    assert.include(html, 'This device')

    const handles = await listed(laptop)
    const own = html.match(/data-session="([0-9a-f]{24})"[\s\S]*?This device/)![1]
    const others = handles.filter((handle) => handle !== own)
    assert.lengthOf(others, 2)

    await laptop.form(`/account/sessions/${others[0]}?_method=DELETE`)
    assert.lengthOf(await listed(laptop), 2)
    const stillIn = [await signedIn(phone), await signedIn(tablet)]
    assert.sameMembers(stillIn, [true, false])

    const clear = await laptop.form('/account/sessions?_method=DELETE')
    assert.equal(clear.status, 302)
    assert.isFalse(await signedIn(phone))
    assert.isFalse(await signedIn(tablet))
    assert.isTrue(await signedIn(laptop))
    assert.deepEqual(await listed(laptop), [own])
  }).timeout(60_000)
})

test.group('Sessions: another user cannot revoke yours', (group) => {
  group.each.setup(isolate)

  test('a handle that is not among your sessions changes nothing', async ({ assert }) => {
    const owner = await makeUser('creator')
    const other = await makeUser('creator')
    const mine = await HttpSession.login(owner.email, TEST_PASSWORD)
    const theirs = await HttpSession.login(other.email, TEST_PASSWORD)
    const [handle] = await listed(theirs)
    await mine.load('/account/sessions')
    const response = await mine.form(`/account/sessions/${handle}?_method=DELETE`)
    assert.equal(response.status, 302)
    assert.isTrue(await signedIn(theirs))
  })
})
