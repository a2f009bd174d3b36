import { test } from '@japa/runner'
import User from '#models/user'
import { HttpSession } from '#tests/helpers/http_session'
import { startAppServer } from '#tests/helpers/app_server'
import { makeUser, TEST_PASSWORD } from '#tests/helpers/users'

/*
 * A server behind a reverse proxy on loopback (TRUSTED_PROXIES=loopback): the proxy's
 * X-Forwarded-For names the visitor, so a visitor from elsewhere is not "loopback" although
 * the connection comes from 127.0.0.1.
 */
test.group('/readyz details', (group) => {
  let server: Awaited<ReturnType<typeof startAppServer>>
  group.setup(async () => {
    server = await startAppServer({ TRUSTED_PROXIES: 'loopback' })
    return () => server.stop()
  })

  test('a visitor from elsewhere gets the status and no details; loopback and admins get them', async ({
    assert,
    cleanup,
  }) => {
    const remote = await fetch(`${server.url}/readyz`, {
      headers: { 'x-forwarded-for': '203.0.113.9' },
    })
    const remoteBody = await remote.json()
    assert.oneOf(remote.status, [200, 503])
    assert.deepEqual(Object.keys(remoteBody), ['ready'])

    const local = await fetch(`${server.url}/readyz`)
    const localBody = await local.json()
    assert.properties(localBody.checks, ['database', 'redis', 's3', 'ffmpeg'])

    // Committed: the server is another process.
    const admin = await makeUser('admin')
    cleanup(async () => {
      await User.query().where('id', admin.id).delete()
    })
    const session = await HttpSession.login(admin.email, TEST_PASSWORD, server.url)
    const asAdmin = await session.fetch('/readyz', {
      headers: { 'x-forwarded-for': '203.0.113.9' },
    })
    const adminBody = await asAdmin.json()
    assert.properties(adminBody.checks, ['database', 'redis', 's3', 'ffmpeg'])
  }).timeout(60_000)
})
