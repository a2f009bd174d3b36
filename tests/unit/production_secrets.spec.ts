import { test } from '@japa/runner'
import { spawnSync } from 'node:child_process'
import app from '@adonisjs/core/services/app'

const STRONG = {
  APP_KEY: 'k'.repeat(8) + 'Qz81mXv0pLr7sTy2nBc4dEf6gHj9kMw3',
  S3_SECRET_KEY: 'Vt7qLm2xRk9pZs4nWc8b',
  DB_PASSWORD: 'Hd5sKe8rTq1mZp7xNv3c',
  REDIS_PASSWORD: 'Rb6tYw2kLq9sMx4pZn8v',
}

/** Boots `script` as a production process with the test settings plus `overrides`. */
function boot(script: string, overrides: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', '@poppinss/ts-exec', script], {
    cwd: app.appRoot.pathname,
    env: { ...process.env, NODE_ENV: 'production', ATHERA_ROLES: 'web', PORT: '0', ...overrides },
    encoding: 'utf8',
    timeout: 60_000,
  })
}

test.group('Production secrets', () => {
  test('the server refuses to start with .env.example placeholders, naming each variable', ({
    assert,
  }) => {
    const result = boot('bin/server.ts', {
      ...STRONG,
      S3_SECRET_KEY: 'change-me-too',
      DB_PASSWORD: 'change-me',
      STRIPE_WEBHOOK_SECRET: 'whsec_short',
    })
    assert.equal(result.status, 1, result.stdout + result.stderr)
    const output = result.stdout + result.stderr
    assert.include(output, 'S3_SECRET_KEY is a placeholder ("change-me-too")')
    assert.include(output, 'DB_PASSWORD is a placeholder ("change-me")')
    assert.include(output, 'STRIPE_WEBHOOK_SECRET is too short (11 characters)')
    assert.notInclude(output, 'started HTTP server')
  }).timeout(70_000)

  test('a short APP_KEY and an empty Redis password are refused', ({ assert }) => {
    const result = boot('start/env.ts', {
      ...STRONG,
      APP_KEY: 'only-twenty-chars-ok',
      REDIS_PASSWORD: '',
    })
    assert.notEqual(result.status, 0)
    assert.include(
      result.stderr,
      'APP_KEY is too short (20 characters). Set a random value of at least 32 characters.'
    )
    assert.include(result.stderr, 'REDIS_PASSWORD is empty.')
  }).timeout(70_000)

  test('strong secrets pass, and unset Stripe secrets are not required', ({ assert }) => {
    const result = boot('start/env.ts', {
      ...STRONG,
      STRIPE_WEBHOOK_SECRET: '',
      STRIPE_CONNECT_WEBHOOK_SECRET: '',
    })
    assert.equal(result.status, 0, result.stderr)
  }).timeout(70_000)
})
