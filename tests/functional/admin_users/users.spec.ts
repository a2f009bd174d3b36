import { test } from '@japa/runner'
import AuditLog from '#models/audit_log'
import User from '#models/user'
import { API_SCOPE_NAMES } from '#app/accounts/api_token_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { fieldErrors } from '#tests/helpers/forms'

async function audit(action: string) {
  return AuditLog.query().where('action', action).orderBy('id')
}

test.group('Admin users: the list', (group) => {
  group.each.setup(isolate)

  test('searches e-mail, name and company, and filters by role and state', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const acme = await makeUser('buyer', { companyName: 'Zebra Optics GmbH' })
    const runner = await makeUser('creator', { fullName: 'Ada Quarterback' })
    const gone = await makeUser('suspended')

    const byCompany = await client.get('/admin/users?q=zebra').loginAs(admin)
    byCompany.assertStatus(200)
    assert.include(byCompany.text(), `data-user="${acme.id}"`)
    assert.notInclude(byCompany.text(), `data-user="${runner.id}"`)

    const byName = await client.get('/admin/users?q=quarterback&role=creator').loginAs(admin)
    assert.include(byName.text(), `data-user="${runner.id}"`)
    assert.notInclude(byName.text(), `data-user="${acme.id}"`)

    const suspended = await client.get('/admin/users?status=suspended').loginAs(admin)
    assert.include(suspended.text(), `data-user="${gone.id}"`)
    assert.notInclude(suspended.text(), `data-user="${runner.id}"`)

    // A wildcard typed in the search is a character, not a pattern.
    const literal = await client.get('/admin/users?q=%25').loginAs(admin)
    assert.notInclude(literal.text(), `data-user="${runner.id}"`)
  })

  test('bad filters answer 422 with a sentence, not a 500', async ({ client }) => {
    const admin = await makeUser('admin')
    const response = await client.get('/admin/users?role=owner&page=-3').loginAs(admin)
    response.assertStatus(422)
    response.assertTextIncludes('Filter by creator, buyer or admin.')
    response.assertTextIncludes('Pages are numbered 1, 2, 3…')
  })

  test('pages 25 accounts at a time, keeping the filters in the links', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    for (let index = 0; index < 26; index++) await makeUser('creator')
    const first = await client.get('/admin/users?role=creator').loginAs(admin)
    assert.include(first.text(), 'page 1 of 2')
    assert.include(first.text(), '/admin/users?role=creator&amp;page=2')
    const second = await client.get('/admin/users?role=creator&page=2').loginAs(admin)
    assert.lengthOf(second.text().match(/data-user="/g) ?? [], 1)
  })
})

test.group('Admin users: role changes and suspension', (group) => {
  group.each.setup(isolate)

  test('a role change is saved and audited with from and to', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const creator = await makeUser('creator')

    const response = await client
      .put(`/admin/users/${creator.id}`)
      .form({ role: 'admin' })
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/users')
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', '/admin/users')
    response.assertFlashMessage('success', `${creator.email} is now an admin.`)
    await creator.refresh()
    assert.equal(creator.role, 'admin')
    const [entry] = await audit('user.role_changed')
    assert.equal(entry.actorId, admin.id)
    assert.equal(entry.subjectType, 'user')
    assert.equal(entry.subjectId, String(creator.id))
    assert.deepInclude(entry.meta, { from: 'creator', to: 'admin' })
  })

  test('making a creator a buyer gives the account a company name (buyers are companies)', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const creator = await makeUser('creator', { fullName: 'Lena Sprint' })
    await client
      .put(`/admin/users/${creator.id}`)
      .form({ role: 'buyer' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    await creator.refresh()
    assert.equal(creator.role, 'buyer')
    assert.equal(creator.companyName, 'Lena Sprint')
  })

  test('a bad role or an unknown account is refused with a message and writes nothing', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const creator = await makeUser('creator')

    const bad = await client
      .put(`/admin/users/${creator.id}`)
      .form({ role: 'owner' })
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/users')
      .redirects(0)
    bad.assertStatus(302)
    assert.deepEqual(fieldErrors(bad, 'role'), ['Choose creator, buyer or admin.'])

    const unknown = await client
      .post('/admin/users/2147483647/suspension')
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/users')
      .redirects(0)
    unknown.assertFlashMessage('error', 'No account has this id.')
    const huge = await client
      .post('/admin/users/99999999999999999999/suspension')
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/users')
      .redirects(0)
    huge.assertStatus(302)
    huge.assertFlashMessage('error', 'No account has this id.')

    await creator.refresh()
    assert.equal(creator.role, 'creator')
    assert.lengthOf(await AuditLog.all(), 0)
  })

  test('an admin cannot demote or suspend themselves', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    await makeUser('admin')

    const demote = await client
      .put(`/admin/users/${admin.id}`)
      .form({ role: 'creator' })
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/users')
      .redirects(0)
    demote.assertFlashMessage('error', 'You cannot change your own role: ask another admin.')
    const suspend = await client
      .post(`/admin/users/${admin.id}/suspension`)
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/users')
      .redirects(0)
    suspend.assertFlashMessage('error', 'You cannot suspend yourself: ask another admin.')

    await admin.refresh()
    assert.equal(admin.role, 'admin')
    assert.isNull(admin.suspendedAt)
    assert.lengthOf(await AuditLog.all(), 0)
  })

  test('the last active admin cannot be demoted or suspended', async ({ client, assert }) => {
    const last = await makeUser('admin')
    const other = await makeUser('admin')

    await client
      .put(`/admin/users/${other.id}`)
      .form({ role: 'creator' })
      .loginAs(last)
      .withCsrfToken()
      .redirects(0)
    await other.refresh()
    assert.equal(other.role, 'creator')

    const demote = await client
      .put(`/admin/users/${last.id}`)
      .form({ role: 'buyer' })
      .loginAs(last)
      .withCsrfToken()
      .header('referer', '/admin/users')
      .redirects(0)
    demote.assertFlashMessage(
      'error',
      'This is the last active admin: make someone else admin first.'
    )
    const suspend = await client
      .post(`/admin/users/${last.id}/suspension`)
      .loginAs(last)
      .withCsrfToken()
      .header('referer', '/admin/users')
      .redirects(0)
    suspend.assertFlashMessage('error', 'This is the last active admin: it cannot be suspended.')

    // The demoted admin's page, opened before the demotion, can no longer act.
    const { UserAdminService } = await import('#app/admin/user_admin_service')
    const stale = await new UserAdminService().suspend(other, last.id, null)
    assert.deepInclude(stale, { ok: false, code: 'E_NOT_ADMIN' })

    await last.refresh()
    assert.equal(last.role, 'admin')
    assert.isNull(last.suspendedAt)
    assert.lengthOf(await audit('user.role_changed'), 1)
    assert.lengthOf(await audit('user.suspended'), 0)
  })

  test('suspending ends the account’s API tokens and sessions; it is audited', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const buyer = await makeUser('buyer')
    const token = await User.accessTokens.create(buyer, [...API_SCOPE_NAMES], { name: 'pipeline' })
    const bearer = `Bearer ${token.value!.release()}`

    const before = await client.get('/api/v1/licences').header('authorization', bearer)
    before.assertStatus(200)

    const response = await client
      .post(`/admin/users/${buyer.id}/suspension`)
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/users')
      .redirects(0)
    response.assertFlashMessage(
      'success',
      `${buyer.email} is suspended: logged out, API tokens revoked.`
    )

    const after = await client.get('/api/v1/licences').header('authorization', bearer)
    after.assertStatus(401)
    const page = await client.get('/buyer').loginAs(buyer).redirects(0)
    page.assertStatus(302)
    page.assertHeader('location', '/login')

    const [entry] = await audit('user.suspended')
    assert.equal(entry.actorId, admin.id)
    assert.equal(entry.subjectId, String(buyer.id))
    assert.deepInclude(entry.meta, { apiTokensRevoked: 1 })

    const again = await client
      .post(`/admin/users/${buyer.id}/suspension`)
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/users')
      .redirects(0)
    again.assertFlashMessage('info', `${buyer.email} is already suspended.`)
    assert.lengthOf(await audit('user.suspended'), 1)
  })

  test('reactivating lets the person log in again; it is audited', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const creator = await makeUser('suspended')

    const response = await client
      .delete(`/admin/users/${creator.id}/suspension`)
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/users')
      .redirects(0)
    response.assertFlashMessage('success', `${creator.email} is active again.`)
    await creator.refresh()
    assert.isNull(creator.suspendedAt)
    const [entry] = await audit('user.reactivated')
    assert.equal(entry.actorId, admin.id)
    assert.equal(entry.subjectId, String(creator.id))

    const page = await client.get('/creator').loginAs(creator)
    page.assertStatus(200)
  })
})
