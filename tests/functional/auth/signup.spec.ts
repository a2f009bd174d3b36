import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { fieldErrors } from '#tests/helpers/forms'

const valid = {
  fullName: 'Ada Runner',
  email: 'ada@club.test',
  password: 'a long enough password',
  passwordConfirmation: 'a long enough password',
  role: 'creator',
}

async function userCount() {
  const row = await db.from('users').count('* as total').first()
  return Number(row.total)
}

test.group('Sign-up', (group) => {
  group.each.setup(isolate)

  test('a creator signs up, is logged in and sent to the dashboard', async ({ client, assert }) => {
    const response = await client.post('/signup').form(valid).withCsrfToken().redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', '/creator')
    const user = await User.findByOrFail('email', 'ada@club.test')
    assert.equal(user.role, 'creator')
    assert.isNull(user.companyName)
    assert.match(user.password, /^\$argon2id\$/)
  })

  test('a buyer signs up with a company name', async ({ client, assert }) => {
    const response = await client
      .post('/signup')
      .form({ ...valid, email: 'buyer@vision.test', role: 'buyer', companyName: 'Vision Labs' })
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', '/buyer')
    const user = await User.findByOrFail('email', 'buyer@vision.test')
    assert.equal(user.role, 'buyer')
    assert.equal(user.companyName, 'Vision Labs')
  })

  const invalidCases = [
    {
      name: 'an invalid e-mail',
      field: 'email',
      input: { email: 'not-an-email' },
      message: 'Enter a valid e-mail address, like name@club.org.',
    },
    {
      name: 'a short password',
      field: 'password',
      input: { password: 'short', passwordConfirmation: 'short' },
      message: 'Use at least 10 characters.',
    },
    {
      name: 'an unknown role',
      field: 'role',
      input: { role: 'admin' },
      message: 'Choose whether you are a creator or a buyer.',
    },
    {
      name: 'a buyer without company',
      field: 'companyName',
      input: { role: 'buyer' },
      message: 'Buyers sign up as a company: enter its name.',
    },
    {
      name: 'mismatched passwords',
      field: 'passwordConfirmation',
      input: { passwordConfirmation: 'something else entirely' },
      message: 'The two passwords do not match.',
    },
  ]

  for (const testCase of invalidCases) {
    test(`${testCase.name} is refused with a form error and nothing is written`, async ({
      client,
      assert,
    }) => {
      const before = await userCount()
      const response = await client
        .post('/signup')
        .form({ ...valid, ...testCase.input })
        .withCsrfToken()
        .header('referer', '/signup')
        .redirects(0)

      response.assertStatus(302)
      response.assertHeader('location', '/signup')
      assert.deepEqual(fieldErrors(response, testCase.field), [testCase.message])
      assert.equal(await userCount(), before)

      // The sign-up page shows the message next to its field.
      const page = await client.get('/signup').withFlashMessages(response.flashMessages())
      page.assertStatus(200)
      assert.include(page.text(), testCase.message)
    })
  }

  test('a duplicate account is refused and the first one is untouched', async ({
    client,
    assert,
  }) => {
    const existing = await makeUser('creator', { email: 'taken@club.test' })
    const before = await userCount()

    const response = await client
      .post('/signup')
      .form({ ...valid, email: 'TAKEN@club.test' })
      .withCsrfToken()
      .redirects(0)

    assert.deepEqual(fieldErrors(response, 'email'), [
      'An account with this e-mail already exists. Log in instead.',
    ])
    assert.equal(await userCount(), before)
    await existing.refresh()
    assert.equal(existing.fullName, 'Test creator')
  })

  test('sign-up is rate limited per address', async ({ client }) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      await client
        .post('/signup')
        .form({ ...valid, email: `flood${attempt}@club.test` })
        .withCsrfToken()
        .redirects(0)
    }
    const response = await client
      .post('/signup')
      .form({ ...valid, email: 'flood-last@club.test' })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(429)
    response.assertTextIncludes('Too many accounts created from this address')
  })

  test('when registration is invitation-only, the form is closed', async ({ client, assert }) => {
    await db
      .table('settings')
      .insert({ key: 'registration', value: JSON.stringify('invite'), updated_at: new Date() })
    const before = await userCount()

    const page = await client.get('/signup')
    page.assertStatus(403)
    page.assertTextIncludes('Registration is by invitation')

    const response = await client.post('/signup').form(valid).withCsrfToken().redirects(0)
    response.assertStatus(403)
    assert.equal(await userCount(), before)
  })
})
