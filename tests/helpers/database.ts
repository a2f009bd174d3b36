import pg from 'pg'
import env from '#start/env'

/** Creates the test database when it does not exist yet (a fresh machine or CI). */
export async function ensureTestDatabase() {
  const name = env.get('DB_DATABASE')
  const client = new pg.Client({
    host: env.get('DB_HOST'),
    port: env.get('DB_PORT'),
    user: env.get('DB_USER'),
    password: env.get('DB_PASSWORD'),
    database: 'postgres',
  })
  await client.connect()
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`)
    }
  } finally {
    await client.end()
  }
}
