import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import AuditLog from '#models/audit_log'
import Invitation from '#models/invitation'
import User from '#models/user'
import { SettingsStore } from '#app/core/settings_store'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { fieldErrors } from '#tests/helpers/forms'

const PASSWORD = 'a long enough password'

/** Registration as the admin sets it: invite-only unless said otherwise. */
async function registration(mode: 'open' | 'invite') {
  await new SettingsStore().set('registration', mode)
}

/** An admin invites `email`; returns the token from the link the page shows once. */
async function invite(
  client: any,
  admin: User,
  email: string,
  role: 'creator' | 'buyer' = 'creator'
) {
  const response = await client
    .post('/admin/invitations')
    .form({ email, role })
    .loginAs(admin)
    .withCsrfToken()
    .redirects(0)
  const link: string = response.flashMessages()?.invitationLink
  return { response, link, token: link ? link.split('/').pop()! : '' }
}

test.group('Invitations', (group) => {
  group.each.setup(isolate)

  test('an admin invites an address: the link is shown once, only its hash is stored, and it is audited', async ({
    client,
    assert,
  }) => {
    await registration('invite')
    const admin = await makeUser('admin')
    const { response, link, token } = await invite(client, admin, 'Nia@Club.org', 'buyer')

    response.assertStatus(302)
    response.assertHeader('location', '/admin/users')
    response.assertFlashMessage(
      'success',
      'Invitation created for Nia@Club.org: copy the link below and send it.'
    )
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/invitations\/[A-Za-z0-9_-]{43}$/)
    const invitation = await Invitation.findByOrFail('email', 'nia@club.org')
    assert.equal(invitation.role, 'buyer')
    assert.notEqual(invitation.tokenHash, token)
    assert.lengthOf(invitation.tokenHash, 64)
    assert.isTrue(invitation.expiresAt > DateTime.now().plus({ days: 6 }))

    const [entry] = await AuditLog.query().where('action', 'invitation.created')
    assert.equal(entry.actorId, admin.id)
    assert.equal(entry.subjectId, String(invitation.id))
    assert.deepInclude(entry.meta, { email: 'Nia@Club.org', role: 'buyer' })

    const page = await client.get('/admin/users').loginAs(admin)
    assert.include(page.text(), `data-invitation="${invitation.id}"`)
    assert.notInclude(page.text(), token)
  })

  test('signing up through the link works while registration is invite-only, once', async ({
    client,
    assert,
  }) => {
    await registration('invite')
    const admin = await makeUser('admin')
    const { token } = await invite(client, admin, 'kai@club.org', 'buyer')

    const closed = await client.get('/signup')
    closed.assertStatus(403)
    const form = await client.get(`/invitations/${token}`)
    form.assertStatus(200)
    form.assertTextIncludes('kai@club.org')
    form.assertTextIncludes('Company name')

    const missing = await client
      .post(`/invitations/${token}`)
      .form({ fullName: 'Kai Lund', password: PASSWORD, passwordConfirmation: PASSWORD })
      .withCsrfToken()
      .header('referer', `/invitations/${token}`)
      .redirects(0)
    missing.assertStatus(302)
    assert.deepEqual(fieldErrors(missing, 'companyName'), [
      'Buyers sign up as a company: enter its name.',
    ])
    assert.isNull(await User.findBy('email', 'kai@club.org'))

    const created = await client
      .post(`/invitations/${token}`)
      .form({
        fullName: 'Kai Lund',
        companyName: 'Lund Vision',
        password: PASSWORD,
        passwordConfirmation: PASSWORD,
        email: 'other@evil.test',
        role: 'admin',
      })
      .withCsrfToken()
      .redirects(0)
    created.assertStatus(302)
    created.assertHeader('location', '/buyer')
    const user = await User.findByOrFail('email', 'kai@club.org')
    assert.equal(user.role, 'buyer')
    assert.equal(user.companyName, 'Lund Vision')
    assert.isNull(await User.findBy('email', 'other@evil.test'))
    const invitation = await Invitation.findByOrFail('email', 'kai@club.org')
    assert.equal(invitation.acceptedUserId, user.id)

    const reused = await client.get(`/invitations/${token}`)
    reused.assertStatus(410)
    const again = await client
      .post(`/invitations/${token}`)
      .form({
        fullName: 'Kai Two',
        companyName: 'X Ltd',
        password: PASSWORD,
        passwordConfirmation: PASSWORD,
      })
      .withCsrfToken()
      .redirects(0)
    again.assertStatus(410)
    assert.lengthOf(await User.query().where('full_name', 'Kai Two'), 0)
  })

  test('an expired link does not work', async ({ client, assert }) => {
    await registration('invite')
    const admin = await makeUser('admin')
    const { token } = await invite(client, admin, 'old@club.org')
    const invitation = await Invitation.findByOrFail('email', 'old@club.org')
    invitation.expiresAt = DateTime.now().minus({ minutes: 1 })
    await invitation.save()

    const page = await client.get(`/invitations/${token}`)
    page.assertStatus(410)
    page.assertTextIncludes('This invitation link does not work')
    const post = await client
      .post(`/invitations/${token}`)
      .form({ fullName: 'Old Timer', password: PASSWORD, passwordConfirmation: PASSWORD })
      .withCsrfToken()
      .redirects(0)
    post.assertStatus(410)
    assert.isNull(await User.findBy('email', 'old@club.org'))

    const listed = await client.get('/admin/users').loginAs(admin)
    assert.match(listed.text(), new RegExp(`data-invitation="${invitation.id}"[\\s\\S]*?expired`))
  })

  test('a revoked invitation stops working; revoking is audited and happens once', async ({
    client,
    assert,
  }) => {
    await registration('invite')
    const admin = await makeUser('admin')
    const { token } = await invite(client, admin, 'rev@club.org')
    const invitation = await Invitation.findByOrFail('email', 'rev@club.org')

    const revoked = await client
      .delete(`/admin/invitations/${invitation.id}`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    revoked.assertFlashMessage(
      'success',
      'The invitation of rev@club.org is revoked: its link no longer works.'
    )
    const [entry] = await AuditLog.query().where('action', 'invitation.revoked')
    assert.equal(entry.actorId, admin.id)
    assert.equal(entry.subjectId, String(invitation.id))

    const page = await client.get(`/invitations/${token}`)
    page.assertStatus(410)

    const twice = await client
      .delete(`/admin/invitations/${invitation.id}`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    twice.assertFlashMessage('error', 'This invitation is already revoked.')
    assert.lengthOf(await AuditLog.query().where('action', 'invitation.revoked'), 1)
  })

  test('an address that has an account, or a bad form, is refused and writes nothing', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const existing = await makeUser('creator')

    const taken = await client
      .post('/admin/invitations')
      .form({ email: existing.email, role: 'creator' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    taken.assertFlashMessage(
      'error',
      `${existing.email} already has an account: no invitation needed.`
    )
    const asAdmin = await client
      .post('/admin/invitations')
      .form({ email: 'boss@club.org', role: 'admin' })
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/users')
      .redirects(0)
    assert.deepEqual(fieldErrors(asAdmin, 'role'), [
      'Choose whether the invited person is a creator or a buyer.',
    ])
    const badEmail = await client
      .post('/admin/invitations')
      .form({ email: 'not-an-address', role: 'creator' })
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/users')
      .redirects(0)
    assert.lengthOf(fieldErrors(badEmail, 'email'), 1)

    assert.lengthOf(await Invitation.all(), 0)
    assert.lengthOf(await AuditLog.all(), 0)
  })

  test('a made-up link is not found as an invitation', async ({ client }) => {
    const page = await client.get('/invitations/not-a-real-token')
    page.assertStatus(410)
  })
})
