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

/** Creates the test database when it does not exist yet (a fresh machine or CI). */
export async function ensureTestDatabase() {
  const name = env.get('DB_DATABASE')
  await onMaintenanceDatabase(async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`)
    }
  })
}
