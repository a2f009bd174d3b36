import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import { EnvParser } from '@adonisjs/core/env'
import pg from 'pg'
import env from '#start/env'
import { freePort } from '#tests/helpers/app_server'

/** `node ace setup` with ENV_PATH=folder and nothing of the test settings but `extra`. */
function setup(folder: string, args: string[] = [], extra: Record<string, string> = {}) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['ace.js', 'setup', ...args], {
      cwd: app.appRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ENV_PATH: folder,
        REDIS_DB: String(env.get('REDIS_DB') ?? 0),
        FORCE_COLOR: '0',
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.once('exit', (code) => resolve({ code, output }))
  })
}

/** A query on the maintenance database or on `database`. */
async function query(sql: string, database = 'postgres') {
  const client = new pg.Client({
    host: env.get('DB_HOST'),
    port: env.get('DB_PORT'),
    user: env.get('DB_USER'),
    password: env.get('DB_PASSWORD'),
    database,
  })
  await client.connect()
  try {
    const result = await client.query(sql)
    return result.rows
  } finally {
    await client.end()
  }
}

const parse = async (path: string) =>
  new EnvParser(await readFile(path, 'utf8'), app.appRoot, { ignoreProcessEnv: true }).parse()

test.group('node ace setup', (group) => {
  // Its own database beside the test database, so parallel runs with other names stay apart.
  const database = `${env.get('DB_DATABASE')}_setup`
  let folder: string
  group.each.setup(async () => {
    folder = await mkdtemp(join(tmpdir(), 'athera-setup-'))
    await query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)
    return async () => {
      await rm(folder, { recursive: true, force: true })
      await query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)
    }
  })

  test('on a fresh machine it writes .env, creates and migrates the database and seeds the demo; again, it changes nothing', async ({
    assert,
  }) => {
    const first = await setup(folder, ['--database', database])
    assert.equal(first.code, 0, first.output)
    assert.include(first.output, `Wrote ${join(folder, '.env')} with fresh secrets`)
    assert.include(first.output, `Created the database ${database}`)
    assert.include(
      first.output,
      'Ready. Start it with: npm run dev, then open http://127.0.0.1:3333'
    )

    const envFile = join(folder, '.env')
    const stats = await stat(envFile)
    assert.equal(stats.mode & 0o777, 0o600, 'only its owner reads the secrets')
    const values = await parse(envFile)
    assert.equal(values.NODE_ENV, 'development')
    assert.equal(values.DB_DATABASE, database)
    assert.equal(values.S3_EMBEDDED, 'true')
    assert.isAtLeast((values.APP_KEY ?? '').length, 32)
    const migrated = await query('SELECT count(*)::int AS n FROM adonis_schema', database)
    assert.isAbove(migrated[0].n, 0)
    const [{ n: accounts }] = await query('SELECT count(*)::int AS n FROM users', database)
    const [admin] = await query(
      `SELECT role FROM users WHERE email = 'admin@athera.test'`,
      database
    )
    assert.equal(admin.role, 'admin')

    const before = await readFile(envFile, 'utf8')
    const second = await setup(folder)
    assert.equal(second.code, 0, second.output)
    assert.include(second.output, `Kept the existing ${envFile} (setup never overwrites it).`)
    assert.include(second.output, `Found the database ${database}`)
    assert.include(
      second.output,
      `The database already has ${accounts} accounts, so the demo was not seeded`
    )
    assert.equal(await readFile(envFile, 'utf8'), before)
    assert.deepEqual(await query('SELECT count(*)::int AS n FROM users', database), [
      { n: accounts },
    ])

    // Another folder, another .env: its secrets are drawn afresh.
    const other = await mkdtemp(join(tmpdir(), 'athera-setup-'))
    try {
      const third = await setup(other, ['--database', database, '--no-seed'])
      assert.equal(third.code, 0, third.output)
      assert.include(third.output, 'The demo was not seeded (--no-seed).')
      const otherValues = await parse(join(other, '.env'))
      assert.notEqual(otherValues.APP_KEY, values.APP_KEY)
      assert.notEqual(otherValues.S3_SECRET_KEY, values.S3_SECRET_KEY)
    } finally {
      await rm(other, { recursive: true, force: true })
    }
  }).timeout(90_000)

  test('PostgreSQL or Redis out of reach, or a login refused: one sentence says what to do', async ({
    assert,
  }) => {
    const closed = String(await freePort())
    const postgres = await setup(folder, ['--database', database], { DB_PORT: closed })
    assert.equal(postgres.code, 1)
    assert.include(
      postgres.output,
      `PostgreSQL is not reachable at 127.0.0.1:${closed}: start it (for example: sudo service postgresql start), or set DB_HOST and DB_PORT in .env.`
    )
    // The .env is written first and kept: the fix is an edit to it, then setup again.
    const written = await parse(join(folder, '.env'))
    assert.equal(written.DB_DATABASE, database)
    assert.deepEqual(await query(`SELECT 1 FROM pg_database WHERE datname = '${database}'`), [])

    const redis = await setup(folder, [], { REDIS_PORT: closed })
    assert.equal(redis.code, 1)
    assert.include(
      redis.output,
      `Redis is not reachable at 127.0.0.1:${closed}: start it (for example: sudo service redis-server start), or set REDIS_HOST and REDIS_PORT in .env.`
    )
    assert.notInclude(redis.output, 'node ace migration:run')

    const login = await setup(folder, [], { DB_USER: 'athera_no_such_role' })
    assert.equal(login.code, 1)
    assert.include(login.output, 'PostgreSQL refused to let "athera_no_such_role" log in')
    assert.include(login.output, 'set DB_USER and DB_PASSWORD in .env')
  }).timeout(60_000)

  test('it prepares development instances only, and says so for a production shell or .env', async ({
    assert,
  }) => {
    const shell = await setup(folder, [], { NODE_ENV: 'production' })
    assert.equal(shell.code, 1)
    assert.include(
      shell.output,
      'NODE_ENV is "production" in this shell, and setup prepares development instances only'
    )

    await writeFile(join(folder, '.env'), `NODE_ENV=production\nDB_DATABASE=${database}\n`)
    const file = await setup(folder)
    assert.equal(file.code, 1)
    assert.include(
      file.output,
      '.env says NODE_ENV=production, and setup prepares development instances only'
    )
    assert.deepEqual(await query(`SELECT 1 FROM pg_database WHERE datname = '${database}'`), [])
  }).timeout(60_000)

  test('flags it cannot honour are refused before anything is written', async ({ assert }) => {
    const media = await setup(folder, ['--media', join(folder, 'no-such-folder')])
    assert.equal(media.code, 1)
    assert.include(
      media.output,
      `--media names no folder: ${join(folder, 'no-such-folder')} does not exist or is not a directory.`
    )
    const name = await setup(folder, ['--database', 'Athera-Dev'])
    assert.equal(name.code, 1)
    assert.include(name.output, '"Athera-Dev" cannot be the database name')
    await assert.rejects(() => stat(join(folder, '.env')))
  }).timeout(60_000)
})
