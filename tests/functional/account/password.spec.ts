import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import config from '#config/athera'
import UserResetPassword from '#commands/user_reset_password'
import { AccountService } from '#app/accounts/account_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser, TEST_PASSWORD } from '#tests/helpers/users'
import { fieldErrors } from '#tests/helpers/forms'

async function canLogIn(email: string, password: string) {
  return User.verifyCredentials(email, password).then(
    () => true,
    () => false
  )
}

test.group('Password change', (group) => {
  group.each.setup(isolate)

  test('a logged-in user changes their password with the current one', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('creator')
    const response = await client
      .put('/account/password')
      .form({
        currentPassword: TEST_PASSWORD,
        password: 'a brand new secret',
        passwordConfirmation: 'a brand new secret',
      })
      .loginAs(user)
      .withCsrfToken()
      .header('referer', '/account/password')
      .redirects(0)

    response.assertStatus(302)
    response.assertFlashMessage(
      'success',
      'Your password is changed. Every other device is signed out.'
    )
    assert.isTrue(await canLogIn(user.email, 'a brand new secret'))
    assert.isFalse(await canLogIn(user.email, TEST_PASSWORD))
  })

  test('a wrong current password changes nothing', async ({ client, assert }) => {
    const user = await makeUser('buyer')
    const response = await client
      .put('/account/password')
      .form({
        currentPassword: 'not my password',
        password: 'a brand new secret',
        passwordConfirmation: 'a brand new secret',
      })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)

    assert.deepEqual(fieldErrors(response, 'currentPassword'), [
      'Your current password is not correct.',
    ])
    assert.isTrue(await canLogIn(user.email, TEST_PASSWORD))
  })
})

test.group('Password reset', (group) => {
  group.each.setup(isolate)
  group.each.teardown(() => {
    mail.restore()
    config.mail.enabled = false
  })

  test('without SMTP the page explains the CLI path and sends nothing', async ({
    client,
    assert,
  }) => {
    const { messages } = mail.fake()
    const user = await makeUser('creator')
    const page = await client.get('/password/forgot')
    page.assertTextIncludes('node ace user:reset-password')

    await client.post('/password/forgot').form({ email: user.email }).withCsrfToken().redirects(0)
    messages.assertNoneSent()
    const row = await db.from('password_reset_tokens').where('user_id', user.id).first()
    assert.isNull(row)
  })

  test('with SMTP a one-time link is e-mailed and works once', async ({ client, assert }) => {
    config.mail.enabled = true
    const { messages } = mail.fake()
    const user = await makeUser('creator')

    const request = await client
      .post('/password/forgot')
      .form({ email: user.email })
      .withCsrfToken()
      .redirects(0)
    request.assertFlashMessage(
      'success',
      'If an account uses this address, a reset link is on its way. It works for one hour.'
    )
    messages.assertSentCount(1)
    const [message] = messages.sent()
    const html = message.nodeMailerMessage.html as string
    const link = html.match(/\/password\/reset\/([A-Za-z0-9_-]+)/)
    assert.exists(link, 'the e-mail carries a reset link')
    const token = link![1]

    const form = await client.get(`/password/reset/${token}`)
    form.assertStatus(200)
    const reset = await client
      .post(`/password/reset/${token}`)
      .form({ password: 'fresh password 42', passwordConfirmation: 'fresh password 42' })
      .withCsrfToken()
      .redirects(0)
    reset.assertHeader('location', '/login')
    assert.isTrue(await canLogIn(user.email, 'fresh password 42'))

    const again = await client
      .post(`/password/reset/${token}`)
      .form({ password: 'another password 43', passwordConfirmation: 'another password 43' })
      .withCsrfToken()
      .redirects(0)
    again.assertStatus(410)
    assert.isFalse(await canLogIn(user.email, 'another password 43'))
  })

  test('an unknown address gets the same answer and no e-mail', async ({ client }) => {
    config.mail.enabled = true
    const { messages } = mail.fake()
    const response = await client
      .post('/password/forgot')
      .form({ email: 'nobody@club.test' })
      .withCsrfToken()
      .redirects(0)
    response.assertFlashMessage(
      'success',
      'If an account uses this address, a reset link is on its way. It works for one hour.'
    )
    messages.assertNoneSent()
  })

  test("using one reset link ends the user's other links", async ({ client, assert }) => {
    const user = await makeUser('creator')
    const accounts = await app.container.make(AccountService)
    const first = await accounts.createResetToken(user)
    const second = await accounts.createResetToken(user)

    const reset = await client
      .post(`/password/reset/${first}`)
      .form({ password: 'fresh password 42', passwordConfirmation: 'fresh password 42' })
      .withCsrfToken()
      .redirects(0)
    reset.assertHeader('location', '/login')

    const other = await client.get(`/password/reset/${second}`)
    other.assertStatus(410)
    const again = await client
      .post(`/password/reset/${second}`)
      .form({ password: 'an attacker password', passwordConfirmation: 'an attacker password' })
      .withCsrfToken()
      .redirects(0)
    again.assertStatus(410)
    assert.isTrue(await canLogIn(user.email, 'fresh password 42'))
  })

  test('a password change ends every reset link sent before it', async ({ client, assert }) => {
    const user = await makeUser('buyer')
    const accounts = await app.container.make(AccountService)
    const token = await accounts.createResetToken(user)
    assert.isTrue(await accounts.changePassword(user, TEST_PASSWORD, 'changed on purpose'))

    const page = await client.get(`/password/reset/${token}`)
    page.assertStatus(410)
    assert.isFalse(await accounts.isResetTokenValid(token))
  })

  test('an expired link is refused', async ({ client, assert }) => {
    const user = await makeUser('buyer')
    const accounts = await app.container.make(AccountService)
    const token = await accounts.createResetToken(user)
    await db
      .from('password_reset_tokens')
      .where('user_id', user.id)
      .update({ expires_at: new Date(Date.now() - 1000) })

    const page = await client.get(`/password/reset/${token}`)
    page.assertStatus(410)
    page.assertTextIncludes('This link no longer works')
    assert.isTrue(await canLogIn(user.email, TEST_PASSWORD))
  })

  test('`node ace user:reset-password` prints a working link', async ({ client, assert }) => {
    const user = await makeUser('creator')
    const ace = await app.container.make('ace')
    ace.ui.switchMode('raw')
    const command = await ace.create(UserResetPassword, [user.email])
    await command.exec()
    command.assertSucceeded()

    const line = ace.ui.logger
      .getLogs()
      .map((log) => log.message)
      .find((message) => message.includes('/password/reset/'))
    assert.exists(line)
    const token = line!.split('/password/reset/')[1].trim()
    const reset = await client
      .post(`/password/reset/${token}`)
      .form({ password: 'cli given password', passwordConfirmation: 'cli given password' })
      .withCsrfToken()
      .redirects(0)
    reset.assertHeader('location', '/login')
    assert.isTrue(await canLogIn(user.email, 'cli given password'))
  })

  test('`node ace user:reset-password --password` sets it directly, and refuses a short one', async ({
    assert,
  }) => {
    const user = await makeUser('admin')
    const ace = await app.container.make('ace')
    ace.ui.switchMode('raw')

    const short = await ace.create(UserResetPassword, [user.email, '--password', 'short'])
    await short.exec()
    short.assertFailed()
    assert.isTrue(await canLogIn(user.email, TEST_PASSWORD))

    const command = await ace.create(UserResetPassword, [
      user.email,
      '--password',
      'set from the shell',
    ])
    await command.exec()
    command.assertSucceeded()
    assert.isTrue(await canLogIn(user.email, 'set from the shell'))
  })
})
