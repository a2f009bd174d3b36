import { test } from '@japa/runner'
import { spawn, execFile } from 'node:child_process'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { QueueService } from '#app/core/queue_service'
import { makeUser } from '#tests/helpers/users'
import User from '#models/user'
import { until } from '#tests/helpers/wait'

const run = promisify(execFile)

test.group('Processes', () => {
  test('`node ace` boots and lists the appliance commands', async ({ assert }) => {
    const { stdout } = await run(process.execPath, ['ace', 'list', '--no-ansi'], {
      cwd: app.appRoot.pathname,
      timeout: 60_000,
    })
    for (const command of ['user:create', 'user:reset-password', 'worker', 'migration:run']) {
      assert.include(stdout, command)
    }
  }).timeout(90_000)

  test('ATHERA_ROLES=worker runs jobs without HTTP and drains on SIGTERM', async ({
    assert,
    cleanup,
  }) => {
    // Committed data: the worker is another process and cannot see a test transaction.
    const user = await makeUser('creator')
    cleanup(async () => {
      await User.query().where('id', user.id).delete()
    })
    await db.table('password_reset_tokens').insert({
      user_id: user.id,
      token_hash: 'b'.repeat(64),
      expires_at: new Date(Date.now() - 60_000),
    })

    const child = spawn(process.execPath, ['--import', '@poppinss/ts-exec', 'bin/server.ts'], {
      cwd: app.appRoot.pathname,
      env: { ...process.env, ATHERA_ROLES: 'worker', NODE_ENV: 'test', PORT: '3399' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code))
    )
    cleanup(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })

    assert.isTrue(await until(async () => output.includes('worker started'), 30_000, 200), output)
    const queue = await app.container.make(QueueService)
    await queue.dispatch('purge-expired-tokens', {})

    const purged = await until(
      async () => {
        const row = await db.from('password_reset_tokens').where('user_id', user.id).first()
        return !row
      },
      20_000,
      200
    )
    assert.isTrue(purged, `the worker process purged the token\n${output}`)

    const http = await fetch('http://127.0.0.1:3399/healthz').then(
      () => true,
      () => false
    )
    assert.isFalse(http, 'a worker-only process serves no HTTP')

    child.kill('SIGTERM')
    assert.equal(await exited, 0, output)
    await queue.close()
  }).timeout(90_000)
})
