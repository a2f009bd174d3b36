import { test } from '@japa/runner'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'

/*
 * .env.test trusts no proxy (TRUSTED_PROXIES=192.0.2.1), so the test client on 127.0.0.1 is an
 * untrusted peer: the X-Forwarded-For it sends must not change the IP the app sees.
 */
test.group('Trusted proxies', (group) => {
  group.each.setup(isolate)

  test('an untrusted peer rotating X-Forwarded-For is still rate limited on one account', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('creator')
    const statuses: number[] = []
    for (let attempt = 1; attempt <= 6; attempt++) {
      const response = await client
        .post('/login')
        .header('x-forwarded-for', `203.0.113.${attempt}`)
        .form({ email: user.email, password: 'wrong password' })
        .withCsrfToken()
        .redirects(0)
      statuses.push(response.status())
    }
    assert.deepEqual(statuses, [302, 302, 302, 302, 302, 429])
  })

  test('TRUSTED_PROXIES refuses a value that is not an address, a range or a name', async ({
    assert,
  }) => {
    const { spawnSync } = await import('node:child_process')
    const result = spawnSync(process.execPath, ['--import', '@poppinss/ts-exec', 'start/env.ts'], {
      env: { ...process.env, TRUSTED_PROXIES: 'loopback, 10.0.0.0/99' },
      encoding: 'utf8',
      timeout: 30_000,
    })
    assert.notEqual(result.status, 0)
    assert.include(result.stderr, 'Invalid value for "TRUSTED_PROXIES": "10.0.0.0/99"')
  }).timeout(40_000)
})
