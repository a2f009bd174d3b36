import { test } from '@japa/runner'
import User from '#models/user'
import { isolate } from '#tests/helpers/reset'
import { makeUser, TEST_PASSWORD } from '#tests/helpers/users'

test.group('Login and logout', (group) => {
  group.each.setup(isolate)

  test('the right password logs in and records the login time', async ({ client, assert }) => {
    const user = await makeUser('buyer')
    const response = await client
      .post('/login')
      .form({ email: user.email, password: TEST_PASSWORD })
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', '/buyer')
    response.assertSession('auth_web', user.id)
    await user.refresh()
    assert.isNotNull(user.lastLoginAt)
  })

  test('"remember me" sets a long-lived remember-me cookie', async ({ client, assert }) => {
    const user = await makeUser('creator')
    const response = await client
      .post('/login')
      .form({ email: user.email, password: TEST_PASSWORD, rememberMe: 'true' })
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    assert.exists(response.cookie('remember_web'))
    const tokens = await User.rememberMeTokens.all(user)
    assert.lengthOf(tokens, 1)
  })

  test('a wrong password is refused with a message and no session', async ({ client }) => {
    const user = await makeUser('creator')
    const response = await client
      .post('/login')
      .form({ email: user.email, password: 'not the password' })
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertFlashMessage('error', 'Incorrect e-mail or password.')
    response.assertSessionMissing('auth_web')
  })

  test('an unknown e-mail gets the same message as a wrong password', async ({ client }) => {
    const response = await client
      .post('/login')
      .form({ email: 'nobody@club.test', password: 'whatever it is' })
      .withCsrfToken()
      .redirects(0)
    response.assertFlashMessage('error', 'Incorrect e-mail or password.')
  })

  test('a suspended user cannot log in', async ({ client }) => {
    const user = await makeUser('suspended')
    const response = await client
      .post('/login')
      .form({ email: user.email, password: TEST_PASSWORD })
      .withCsrfToken()
      .redirects(0)

    response.assertFlashMessage(
      'error',
      'Your account is suspended. Contact an administrator of this instance.'
    )
    response.assertSessionMissing('auth_web')
  })

  test('a user suspended while logged in is logged out on the next request', async ({ client }) => {
    const user = await makeUser('suspended')
    const response = await client.get('/creator').loginAs(user).redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/login')
  })

  test('login is rate limited after 5 attempts for one address', async ({ client }) => {
    const user = await makeUser('creator')
    for (let attempt = 0; attempt < 5; attempt++) {
      await client
        .post('/login')
        .form({ email: user.email, password: 'wrong password' })
        .withCsrfToken()
        .redirects(0)
    }
    const response = await client
      .post('/login')
      .form({ email: user.email, password: TEST_PASSWORD })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(429)
    response.assertTextIncludes('Too many login attempts')
    response.assertSessionMissing('auth_web')
  })

  test('logout ends the session', async ({ client }) => {
    const user = await makeUser('creator')
    const response = await client.post('/logout').loginAs(user).withCsrfToken().redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/')
    response.assertSessionMissing('auth_web')
  })

  test('a POST without CSRF token is refused and changes nothing', async ({ client, assert }) => {
    const user = await makeUser('creator')
    const signup = await client
      .post('/signup')
      .form({
        fullName: 'No Token',
        email: 'notoken@club.test',
        password: 'long enough password',
        passwordConfirmation: 'long enough password',
        role: 'creator',
      })
      .redirects(0)
    signup.assertFlashMessage('error', 'Invalid or expired CSRF token')
    assert.isNull(await User.findBy('email', 'notoken@club.test'))

    const login = await client
      .post('/login')
      .form({ email: user.email, password: TEST_PASSWORD })
      .redirects(0)
    login.assertFlashMessage('error', 'Invalid or expired CSRF token')
    login.assertSessionMissing('auth_web')
  })
})
