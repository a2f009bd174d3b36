import { test } from '@japa/runner'
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import { Client } from 'minio'
import { EmbeddedS3 } from '#app/core/embedded_s3'
import { freePort } from '#tests/helpers/app_server'

/** Loads start/env.ts alone in a process with the test settings plus `overrides`. */
function validateEnv(overrides: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', '@poppinss/ts-exec', 'start/env.ts'], {
    cwd: app.appRoot.pathname,
    env: { ...process.env, ...overrides },
    encoding: 'utf8',
    timeout: 60_000,
  })
}

test.group('Embedded S3 server (npm run dev with S3_EMBEDDED=true)', (group) => {
  let directory: string
  group.each.setup(async () => {
    directory = await mkdtemp(join(tmpdir(), 'athera-embedded-s3-'))
    return () => rm(directory, { recursive: true, force: true })
  })

  test('it serves the app buckets to the access key of the settings, and keeps objects between runs', async ({
    assert,
  }) => {
    const port = await freePort()
    const options = {
      port,
      directory,
      accessKey: 'athera-dev',
      secretKey: 'a-fresh-secret-from-setup',
      bucketPrefix: 'athera-dev-',
    }
    const client = new Client({
      endPoint: '127.0.0.1',
      port,
      useSSL: false,
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: 'us-east-1',
      pathStyle: true,
    })

    const server = await EmbeddedS3.start(options)
    try {
      const buckets = await client.listBuckets()
      assert.sameMembers(
        buckets.map((bucket) => bucket.name),
        ['athera-dev-raw', 'athera-dev-processed', 'athera-dev-previews']
      )
      await client.putObject('athera-dev-raw', 'clips/a.txt', Buffer.from('kept'))
      const stranger = new Client({
        endPoint: '127.0.0.1',
        port,
        useSSL: false,
        accessKey: 'someone-else',
        secretKey: options.secretKey,
        region: 'us-east-1',
        pathStyle: true,
      })
      await assert.rejects(
        () => stranger.listBuckets(),
        /Access Key Id you provided does not exist/
      )
    } finally {
      await server.close()
    }

    const again = await EmbeddedS3.start(options)
    try {
      const stream = await client.getObject('athera-dev-raw', 'clips/a.txt')
      const chunks: Buffer[] = []
      for await (const chunk of stream) chunks.push(chunk as Buffer)
      assert.equal(Buffer.concat(chunks).toString(), 'kept')
    } finally {
      await again.close()
    }
  })

  test('a port in use is refused with a sentence that says what to do', async ({ assert }) => {
    const port = await freePort()
    const options = { port, directory, accessKey: 'S3RVER', secretKey: 'S3RVER', bucketPrefix: '' }
    const first = await EmbeddedS3.start(options)
    try {
      await assert.rejects(
        () => EmbeddedS3.start(options),
        `The embedded S3 server cannot listen on 127.0.0.1:${port}: the port is in use (another npm run dev?). Stop what listens there, or set S3_PORT in .env to a free port.`
      )
    } finally {
      await first.close()
    }
  })

  test('the settings refuse it in production, away from loopback and with TLS', ({ assert }) => {
    const production = validateEnv({
      S3_EMBEDDED: 'true',
      NODE_ENV: 'production',
      APP_KEY: 'Qz81mXv0pLr7sTy2nBc4dEf6gHj9kMw3kkkkkkkk',
      S3_SECRET_KEY: 'Vt7qLm2xRk9pZs4nWc8b',
      DB_PASSWORD: 'Hd5sKe8rTq1mZp7xNv3c',
      REDIS_PASSWORD: 'Rb6tYw2kLq9sMx4pZn8v',
    })
    assert.notEqual(production.status, 0)
    assert.include(
      production.stderr,
      'S3_EMBEDDED=true is for development only: in production, point S3_ENDPOINT at a real S3 server'
    )

    const remote = validateEnv({
      S3_EMBEDDED: 'true',
      NODE_ENV: 'development',
      S3_ENDPOINT: 'minio',
    })
    assert.notEqual(remote.status, 0)
    assert.include(
      remote.stderr,
      'S3_EMBEDDED=true runs the S3 server on this machine, but S3_ENDPOINT is "minio": set S3_ENDPOINT=127.0.0.1.'
    )

    const tls = validateEnv({ S3_EMBEDDED: 'true', NODE_ENV: 'development', S3_USE_SSL: 'true' })
    assert.include(
      tls.stderr,
      'S3_EMBEDDED=true serves plain HTTP on loopback: set S3_USE_SSL=false.'
    )

    assert.equal(validateEnv({ S3_EMBEDDED: 'true', NODE_ENV: 'development' }).status, 0)
  }).timeout(60_000)
})
