import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { parse } from 'yaml'
import app from '@adonisjs/core/services/app'
import { BUCKETS } from '#services/storage_service'

/** compose.yaml as Compose reads it (anchors and `<<` merges resolved). */
async function compose() {
  return parse(await readFile(app.makePath('compose.yaml'), 'utf8'), { merge: true }) as any
}

function envFiles(service: any): string[] {
  const value = service.env_file ?? []
  return (Array.isArray(value) ? value : [value]).map((entry: any) => (typeof entry === 'string' ? entry : entry.path))
}

test.group('compose.yaml', () => {
  test('the app signs in to MinIO as its own user; the root credentials stay with MinIO', async ({ assert }) => {
    const { services } = await compose()
    const rootFile = 'docker/minio-root.env'

    // MinIO and the init service read the root credentials from their own file…
    assert.include(envFiles(services.minio), rootFile)
    assert.include(envFiles(services['minio-init']), rootFile)
    assert.notProperty(services.minio.environment, 'MINIO_ROOT_USER')
    assert.notProperty(services.minio.environment, 'MINIO_ROOT_PASSWORD')
    // …which no app process gets; .env (which they get) holds no root credentials.
    for (const name of ['app', 'worker-gpu']) {
      assert.notInclude(envFiles(services[name]), rootFile, name)
      assert.notProperty(services[name].environment, 'MINIO_ROOT_PASSWORD', name)
      assert.equal(services[name].depends_on['minio-init'].condition, 'service_completed_successfully', name)
    }
    const example = await readFile(app.makePath('.env.example'), 'utf8')
    assert.notMatch(example, /^MINIO_ROOT_(USER|PASSWORD)=/m)

    // The init service creates the app user from the .env credentials the app uses.
    const init = services['minio-init']
    assert.equal(init.environment.S3_ACCESS_KEY, '${S3_ACCESS_KEY:?set S3_ACCESS_KEY in .env}')
    assert.equal(init.environment.S3_SECRET_KEY, '${S3_SECRET_KEY:?set S3_SECRET_KEY in .env}')
    assert.deepEqual(init.entrypoint, ['/bin/sh', '/athera/app-user.sh'])
  })

  test("the app user's policy names the three buckets and nothing else", ({ assert }) => {
    const printed = execFileSync('sh', [app.makePath('docker/minio/app-user.sh')], {
      env: { PATH: process.env.PATH, ATHERA_PRINT_POLICY: '1', S3_BUCKET_PREFIX: 'club-' },
      encoding: 'utf8',
    })
    const policy = JSON.parse(printed)
    const resources = policy.Statement.flatMap((statement: any) => statement.Resource).sort()
    const expected = BUCKETS.flatMap((bucket) => [`arn:aws:s3:::club-${bucket}`, `arn:aws:s3:::club-${bucket}/*`]).sort()
    assert.deepEqual(resources, expected)
    assert.isTrue(policy.Statement.every((statement: any) => statement.Effect === 'Allow'))
  })

  test('sessions are kept in Redis and only the compose network may set X-Forwarded-For', async ({ assert }) => {
    const { services, networks } = await compose()
    const subnet = networks.default.ipam.config[0].subnet
    for (const name of ['app', 'worker-gpu']) {
      assert.equal(services[name].environment.SESSION_DRIVER, 'redis')
      // The network's range unless .env names the proxies itself.
      assert.equal(services[name].environment.TRUSTED_PROXIES, `\${TRUSTED_PROXIES:-${subnet}}`)
    }
    assert.include(services.redis.command, '--requirepass')
  })
})
