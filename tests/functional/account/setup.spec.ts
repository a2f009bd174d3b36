import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import UserCreate from '#commands/user_create'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'

const admin = {
  fullName: 'Club Admin',
  email: 'admin@club.test',
  password: 'a strong admin password',
  passwordConfirmation: 'a strong admin password',
}

test.group('First run', (group) => {
  group.each.setup(isolate)

  test('with no admin, the landing page points to setup and setup creates the admin', async ({ client, assert }) => {
    await makeUser('creator')
    const home = await client.get('/')
    home.assertTextIncludes('This instance has no administrator yet')

    const page = await client.get('/setup')
    page.assertStatus(200)
    const response = await client.post('/setup').form(admin).withCsrfToken().redirects(0)
    response.assertHeader('location', '/admin')
    const created = await User.findByOrFail('email', 'admin@club.test')
    assert.equal(created.role, 'admin')

    const gone = await client.get('/setup')
    gone.assertStatus(404)
    const second = await client.post('/setup').form({ ...admin, email: 'second@club.test' }).withCsrfToken().redirects(0)
    second.assertStatus(404)
    assert.isNull(await User.findBy('email', 'second@club.test'))
  })

  test('two simultaneous setup submissions create one admin', async ({ assert }) => {
    const { AccountService } = await import('#services/account_service')
    const accounts = await app.container.make(AccountService)
    const results = await Promise.all([
      accounts.createFirstAdmin({ fullName: 'One', email: 'one@club.test', password: 'password number one' }),
      accounts.createFirstAdmin({ fullName: 'Two', email: 'two@club.test', password: 'password number two' }),
    ])
    assert.lengthOf(results.filter(Boolean), 1)
    const admins = await db.from('users').where('role', 'admin').count('* as total').first()
    assert.equal(Number(admins.total), 1)
  })

  test('`node ace user:create --admin` creates an administrator', async ({ assert }) => {
    const ace = await app.container.make('ace')
    ace.ui.switchMode('raw')
    const command = await ace.create(UserCreate, ['--admin', '--email', 'ops@club.test', '--name', 'Ops Person'])
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
    const command = await ace.create(UserCreate, ['--email', 'dup@club.test', '--password', 'long enough pass'])
    await command.exec()
    command.assertFailed()
    command.assertLogMatches(/already exists/)
  })
})
