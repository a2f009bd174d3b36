import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import app from '@adonisjs/core/services/app'
import { EnvParser } from '@adonisjs/core/env'
import { checkDatabaseName, developmentEnvFile, developmentValues } from '#app/instance/dev_setup'

test.group('node ace setup: the development .env', () => {
  test('is .env.example with development values put in place, comments kept beside them', async ({
    assert,
  }) => {
    const example = await readFile(app.makePath('.env.example'), 'utf8')
    const text = developmentEnvFile(example, developmentValues('athera_dev'))
    // What the file says, whatever this test process's own environment holds.
    const values = await new EnvParser(text, app.appRoot, { ignoreProcessEnv: true }).parse()

    assert.equal(values.NODE_ENV, 'development')
    assert.equal(values.DB_DATABASE, 'athera_dev')
    assert.equal(values.S3_EMBEDDED, 'true')
    assert.equal(values.S3_ENDPOINT, '127.0.0.1')
    assert.equal(values.SESSION_DRIVER, 'redis')
    assert.equal(values.LIMITER_STORE, 'redis')
    assert.equal(values.S3_SERVER_SIDE_ENCRYPTION, 'false')
    // The example's explanations stay, its "copy to .env" header does not.
    assert.include(text, '# Reverse proxies whose X-Forwarded-For is believed')
    assert.notInclude(text, 'Copy to .env and adjust')
    assert.match(text, /^# Development settings, written by `node ace setup`/)
    // S3_EMBEDDED is commented out in the example: its line is the one set, once.
    assert.lengthOf(text.match(/^S3_EMBEDDED=/gm) ?? [], 1)
    assert.notInclude(text, '# S3_EMBEDDED=')
  })

  test('a variable the example lacks goes at the end; one set twice in the example is set once', ({
    assert,
  }) => {
    const text = developmentEnvFile('# header\n\n# A comment\nPORT=1\n# PORT=2\n', {
      PORT: '3333',
      NEW_ONE: 'x',
    })
    assert.equal(
      text,
      [
        '# Development settings, written by `node ace setup` with fresh secrets. Setup never',
        '# overwrites this file: edit it, or delete it and run setup again. .env.example explains',
        '# every variable; each is validated at boot (start/env.ts).',
        '',
        '# A comment',
        'PORT=3333',
        '# PORT=2',
        '',
        '# Also set by node ace setup.',
        'NEW_ONE=x',
        '',
      ].join('\n')
    )
  })

  test('every call draws fresh secrets, long enough for production rules', ({ assert }) => {
    const first = developmentValues('athera_dev')
    const second = developmentValues('athera_dev')
    assert.notEqual(first.APP_KEY, second.APP_KEY)
    assert.notEqual(first.S3_SECRET_KEY, second.S3_SECRET_KEY)
    assert.isAtLeast(first.APP_KEY.length, 32)
    assert.isAtLeast(first.S3_SECRET_KEY.length, 16)
  })

  test('a database name outside PostgreSQL plain identifiers is refused with a sentence', ({
    assert,
  }) => {
    assert.doesNotThrow(() => checkDatabaseName('athera_dev_2'))
    for (const name of ['9lives', 'athera-dev', 'Athera', 'a"b', 'x'.repeat(64), '']) {
      assert.throws(
        () => checkDatabaseName(name),
        /cannot be the database name: use lower-case letters/
      )
    }
  })
})

test.group('node ace setup: the development .env and the tests', () => {
  test('every variable setup writes is set in .env.test, so a developer .env never reaches the tests', async ({
    assert,
  }) => {
    // The env loader reads .env.test before .env, and the first file to name a variable wins.
    const liveKeys = (text: string) =>
      new Set(
        text
          .split('\n')
          .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
          .filter(Boolean)
      )
    const example = await readFile(app.makePath('.env.example'), 'utf8')
    const written = liveKeys(developmentEnvFile(example, developmentValues('athera_dev')))
    const forTests = liveKeys(await readFile(app.makePath('.env.test'), 'utf8'))
    // NODE_ENV comes from the test runner itself.
    const missing = [...written].filter((key) => key !== 'NODE_ENV' && !forTests.has(key))
    assert.deepEqual(missing, [])
    assert.isTrue(written.has('S3_EMBEDDED'))
  })
})
