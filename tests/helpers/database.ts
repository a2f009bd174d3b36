import pg from 'pg'
import env from '#start/env'

/** The test server's connection settings, for `database` on it. */
export function postgresSettings(database: string = env.get('DB_DATABASE')) {
  return {
    host: env.get('DB_HOST'),
    port: env.get('DB_PORT'),
    user: env.get('DB_USER'),
    password: env.get('DB_PASSWORD'),
    database,
  }
}

/** Runs `work` on the server's `postgres` database: creating and dropping others happens there. */
export async function onMaintenanceDatabase<T>(
  work: (client: pg.Client) => Promise<T>
): Promise<T> {
  const client = new pg.Client(postgresSettings('postgres'))
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/**
 * Recreates the test database, empty. A run that was killed before its teardown (or a browser
 * test's demo seed that outlived it) leaves rows behind, and CI runs on the machine as the last
 * session left it: every run starts from no rows, not from whatever came before.
 */
export async function recreateTestDatabase() {
  const name = env.get('DB_DATABASE').replace(/"/g, '')
  await onMaintenanceDatabase(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await client.query(`CREATE DATABASE "${name}"`)
  })
}
