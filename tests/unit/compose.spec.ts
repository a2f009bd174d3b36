import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import app from '@adonisjs/core/services/app'
import { BUCKETS } from '#app/core/storage_service'
import { envSchema } from '#start/env'
import { checkProductionSecrets } from '#start/secret_checks'
import {
  environmentOf,
  interpolate,
  parseCompose,
  parseEnvFile,
  render,
  type YamlVersion,
} from '#tests/helpers/compose_render'

/** compose.yaml as Compose reads it (anchors and `<<` merges resolved). */
async function compose() {
  return parse(await readFile(app.makePath('compose.yaml'), 'utf8'), { merge: true }) as any
}

function envFiles(service: any): string[] {
  const value = service.env_file ?? []
  return (Array.isArray(value) ? value : [value]).map((entry: any) =>
    typeof entry === 'string' ? entry : entry.path
  )
}

test.group('compose.yaml', () => {
  test('the app signs in to MinIO as its own user; the root credentials stay with MinIO', async ({
    assert,
  }) => {
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
      assert.equal(
        services[name].depends_on['minio-init'].condition,
        'service_completed_successfully',
        name
      )
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
    const expected = BUCKETS.flatMap((bucket) => [
      `arn:aws:s3:::club-${bucket}`,
      `arn:aws:s3:::club-${bucket}/*`,
    ]).sort()
    assert.deepEqual(resources, expected)
    assert.isTrue(policy.Statement.every((statement: any) => statement.Effect === 'Allow'))
  })

  test('sessions are kept in Redis and only the compose network may set X-Forwarded-For', async ({
    assert,
  }) => {
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

/** Every `environment:` (and build argument) value that is not a YAML string, as `service.KEY`. */
function nonStringValues(text: string, version: YamlVersion): string[] {
  const doc = parseCompose(text, version)
  const offenders: string[] = []
  for (const [name, service] of Object.entries<any>(doc.services)) {
    for (const [key, value] of Object.entries(environmentOf(service))) {
      if (typeof value !== 'string') offenders.push(`${name}.${key} (${JSON.stringify(value)})`)
    }
    for (const [key, value] of Object.entries(service.build?.args ?? {})) {
      if (typeof value !== 'string')
        offenders.push(`${name}.build.args.${key} (${JSON.stringify(value)})`)
    }
  }
  return offenders
}

/**
 * start/env.ts's rules applied to these values alone (Env.rules().validate() would prefer the
 * test process's own environment), throwing every refusal the app would print at boot.
 */
function validateSettings(values: Record<string, string | undefined>): Record<string, any> {
  const refusals: string[] = []
  const validated: Record<string, any> = {}
  for (const [key, rule] of Object.entries<(key: string, value?: string) => unknown>(envSchema)) {
    try {
      validated[key] = rule(key, values[key])
    } catch (error) {
      refusals.push((error as Error).message)
    }
  }
  if (refusals.length > 0) throw new Error(refusals.join('\n'))
  return validated
}

/** A fresh .env and minio-root.env, written by docker/init-env.sh in a scratch copy of the repo. */
async function freshEnv() {
  const root = await mkdtemp(join(tmpdir(), 'athera-compose-'))
  try {
    await mkdir(join(root, 'docker'))
    await cp(app.makePath('docker/init-env.sh'), join(root, 'docker/init-env.sh'))
    await cp(app.makePath('.env.example'), join(root, '.env.example'))
    execFileSync('sh', [join(root, 'docker/init-env.sh')], { stdio: 'pipe' })
    return {
      env: parseEnvFile(await readFile(join(root, '.env'), 'utf8')),
      minioRoot: parseEnvFile(await readFile(join(root, 'docker/minio-root.env'), 'utf8')),
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

test.group('compose.yaml as Compose renders it', () => {
  test('every environment value is a string, under YAML 1.2 and 1.1', async ({ assert }) => {
    const text = await readFile(app.makePath('compose.yaml'), 'utf8')
    assert.deepEqual(nonStringValues(text, '1.2'), [])
    assert.deepEqual(nonStringValues(text, '1.1'), [])
  })

  test('the check names an unquoted boolean, number or YAML 1.1 "on"', async ({ assert }) => {
    const text = await readFile(app.makePath('compose.yaml'), 'utf8')
    const broken = text
      .replace('S3_USE_SSL: "false"', 'S3_USE_SSL: false')
      .replace('PORT: "3333"', 'PORT: 3333')
      .replace('VISION_PROVIDER: "cuda"', 'VISION_PROVIDER: on')
    assert.notEqual(broken, text)
    const offenders = nonStringValues(broken, '1.1')
    assert.includeMembers(offenders, [
      'app.S3_USE_SSL (false)',
      'app.PORT (3333)',
      'worker-gpu.VISION_PROVIDER (true)',
    ])
    // YAML 1.2 reads `on` as the string "on": only 1.1 parsers turn it into a boolean.
    assert.notInclude(nonStringValues(broken, '1.2'), 'worker-gpu.VISION_PROVIDER (true)')
  })

  test('interpolation follows Compose: defaults, nested defaults, required values, $$', ({
    assert,
  }) => {
    const vars = { SET: 'x', EMPTY: '' }
    assert.equal(interpolate('${SET:-d}/${EMPTY:-d}/${EMPTY-d}/${UNSET-d}', vars), 'x/d//d')
    assert.equal(interpolate('${UNSET:-${SET:-y}}-${UNSET:-${ALSO:-z}}', vars), 'x-z')
    assert.equal(interpolate('$$HOME $SET ${SET:+alt} ${EMPTY:+alt}', vars), '$HOME x alt ')
    assert.throws(
      () => interpolate('${EMPTY:?set EMPTY}', vars),
      /EMPTY is missing a value: set EMPTY/
    )
    assert.equal(interpolate('${EMPTY?set EMPTY}', vars), '')
  })

  test("rendered with init-env.sh's .env, the app's settings pass the app's own checks", async ({
    assert,
  }) => {
    const { env, minioRoot } = await freshEnv()
    const text = await readFile(app.makePath('compose.yaml'), 'utf8')
    const rendered = render(parseCompose(text), env)

    for (const name of ['app', 'worker-gpu']) {
      const service = rendered.services[name]
      assert.deepEqual(service.env_file, '.env', name)
      // Compose: env_file first, `environment:` overrides it.
      const values: Record<string, string> = {
        ...env,
        ...(environmentOf(service) as Record<string, string>),
      }
      const validated = validateSettings(values)
      assert.equal(validated.NODE_ENV, 'production', name)
      assert.isFalse(validated.S3_USE_SSL, name)
      assert.isTrue(validated.S3_SERVER_SIDE_ENCRYPTION, name)
      assert.equal(validated.PORT, 3333, name)
      assert.equal(validated.DB_HOST, 'postgres', name)
      assert.doesNotThrow(
        () => checkProductionSecrets({ get: (key: string) => validated[key] }),
        name
      )
    }
    assert.deepEqual(rendered.services.app.environment.ATHERA_ROLES, 'web,worker')
    assert.equal(rendered.services.postgres.environment.POSTGRES_PASSWORD, env.DB_PASSWORD)
    assert.include(rendered.services.redis.command, env.REDIS_PASSWORD)
    assert.equal(rendered.networks.default.ipam.config[0].subnet, '172.30.86.0/24')
    assert.equal(rendered.services.app.environment.TRUSTED_PROXIES, '172.30.86.0/24')
    assert.match(minioRoot.MINIO_ROOT_PASSWORD, /^.{32}$/)
    // The same rules refuse what an unquoted `false` becomes in some Compose implementations.
    assert.throws(() => validateSettings({ ...env, S3_USE_SSL: 'False' }), /S3_USE_SSL/)

    // Without init-env.sh's secrets, Compose refuses with the sentence compose.yaml gives.
    assert.throws(
      () => render(parseCompose(text), {}),
      /set MINIO_KMS_SECRET_KEY in \.env|set S3_ACCESS_KEY in \.env/
    )
  })
})
