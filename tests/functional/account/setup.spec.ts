import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import UserCreate from '#commands/user_create'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { fieldErrors } from '#tests/helpers/forms'
import { SetupTokenService } from '#app/instance/setup_token_service'

const admin = {
  fullName: 'Club Admin',
  email: 'admin@club.test',
  password: 'a strong admin password',
  passwordConfirmation: 'a strong admin password',
}

test.group('First run', (group) => {
  group.each.setup(isolate)

  test('with no admin, the landing page points to setup and setup creates the admin', async ({
    client,
    assert,
  }) => {
    await makeUser('creator')
    const setupToken = await new SetupTokenService().issue()
    const home = await client.get('/')
    home.assertTextIncludes('This instance has no administrator yet')

    const page = await client.get('/setup')
    page.assertStatus(200)
    page.assertTextIncludes('Setup token')
    const response = await client
      .post('/setup')
      .form({ ...admin, setupToken })
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/admin')
    const created = await User.findByOrFail('email', 'admin@club.test')
    assert.equal(created.role, 'admin')

    const gone = await client.get('/setup')
    gone.assertStatus(404)
    const second = await client
      .post('/setup')
      .form({ ...admin, setupToken, email: 'second@club.test' })
      .withCsrfToken()
      .redirects(0)
    second.assertStatus(404)
    assert.isNull(await User.findBy('email', 'second@club.test'))
  })

  test('without the setup token from the server log, nobody becomes the first admin', async ({
    client,
    assert,
  }) => {
    const setupToken = await new SetupTokenService().issue()
    for (const guess of ['', 'a-guessed-token', setupToken.slice(0, -1)]) {
      const response = await client
        .post('/setup')
        .form({ ...admin, setupToken: guess })
        .withCsrfToken()
        .redirects(0)
      response.assertStatus(302)
      if (guess)
        assert.deepEqual(fieldErrors(response, 'setupToken'), [
          'This is not the setup token. Find the current one with: docker compose logs app | grep setup',
        ])
    }
    assert.isNull(await User.findBy('email', admin.email))
  })

  test('the boot prints a setup token that works once; a new boot replaces it', async ({
    client,
    assert,
  }) => {
    const tokens = new SetupTokenService()
    const line = await tokens.announce()
    assert.match(line, /^setup: .*\/setup and enter the setup token \S+$/)
    const first = line.split(' ').at(-1)!
    const announced = await tokens.announce()
    const second = announced.split(' ').at(-1)!
    assert.isFalse(await tokens.verify(first), 'a new boot replaces the token')

    const response = await client
      .post('/setup')
      .form({ ...admin, setupToken: second })
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/admin')
    assert.isFalse(await tokens.verify(second), 'spent by creating the admin')
  })

  test('two simultaneous setup submissions create one admin', async ({ assert }) => {
    const { AccountService } = await import('#app/accounts/account_service')
    const accounts = await app.container.make(AccountService)
    const results = await Promise.all([
      accounts.createFirstAdmin({
        fullName: 'One',
        email: 'one@club.test',
        password: 'password number one',
      }),
      accounts.createFirstAdmin({
        fullName: 'Two',
        email: 'two@club.test',
        password: 'password number two',
      }),
    ])
    assert.lengthOf(results.filter(Boolean), 1)
    const admins = await db.from('users').where('role', 'admin').count('* as total').first()
    assert.equal(Number(admins.total), 1)
  })

  test('`node ace user:create --admin` creates an administrator', async ({ assert }) => {
    const ace = await app.container.make('ace')
    ace.ui.switchMode('raw')
    const command = await ace.create(UserCreate, [
      '--admin',
      '--email',
      'ops@club.test',
      '--name',
      'Ops Person',
    ])
    await command.exec()
    command.assertSucceeded()
    const user = await User.findByOrFail('email', 'ops@club.test')
    assert.equal(user.role, 'admin')
    command.assertLogMatches(/Password: \S+/)
  })

  test('`node ace user:create` refuses a duplicate e-mail', async () => {
    await makeUser('creator', { email: 'dup@club.test' })
    const ace = await app.container.make('ace')
    ace.ui.switchMode('raw')
    const command = await ace.create(UserCreate, [
      '--email',
      'dup@club.test',
      '--password',
      'long enough pass',
    ])
    await command.exec()
    command.assertFailed()
    command.assertLogMatches(/already exists/)
  })
})
