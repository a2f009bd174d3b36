/*
 * What `node ace setup` does for a development instance without Docker, apart from the
 * command's own printing: the .env it writes, and the checks of PostgreSQL and Redis with a
 * sentence for each way they fail. Nothing here needs the app booted: the settings are read
 * from the .env file and the process environment, as the app will read them.
 */
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { Redis } from 'ioredis'
import pg from 'pg'

export type SetupProblemCode =
  | 'E_NOT_DEVELOPMENT'
  | 'E_SETTINGS_MISSING'
  | 'E_BAD_DATABASE_NAME'
  | 'E_DATABASE_FLAG'
  | 'E_POSTGRES_UNREACHABLE'
  | 'E_POSTGRES_LOGIN'
  | 'E_POSTGRES_CREATE'
  | 'E_REDIS_UNREACHABLE'
  | 'E_REDIS_LOGIN'
  | 'E_REDIS_DB'
  | 'E_MEDIA_DIR'
  | 'E_S3_UNREACHABLE'
  | 'E_STEP_FAILED'

/** A reason setup stopped: `message` is the sentence shown, `code` the one logged and tested. */
export class SetupProblem extends Error {
  constructor(
    readonly code: SetupProblemCode,
    message: string
  ) {
    super(message)
  }
}

export const DEFAULT_DEV_DATABASE = 'athera_dev'

/** A fresh random secret of `bytes` bytes, URL-safe (no quoting needed in .env). */
export function freshSecret(bytes = 32) {
  return randomBytes(bytes).toString('base64url')
}

/** The settings of a development instance on this machine, with fresh secrets. */
export function developmentValues(database: string): Record<string, string> {
  return {
    NODE_ENV: 'development',
    PORT: '3333',
    // Loopback only: a development instance is not for the network.
    HOST: '127.0.0.1',
    APP_URL: 'http://127.0.0.1:3333',
    APP_KEY: freshSecret(32),
    SESSION_DRIVER: 'redis',
    LIMITER_STORE: 'redis',
    DB_HOST: '127.0.0.1',
    DB_PORT: '5432',
    DB_USER: 'postgres',
    DB_PASSWORD: '',
    DB_DATABASE: database,
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: '6379',
    REDIS_PASSWORD: '',
    REDIS_DB: '0',
    S3_EMBEDDED: 'true',
    S3_ENDPOINT: '127.0.0.1',
    S3_PORT: '4568',
    S3_USE_SSL: 'false',
    S3_ACCESS_KEY: 'athera-dev',
    S3_SECRET_KEY: freshSecret(24),
    S3_REGION: 'us-east-1',
    S3_BUCKET_PREFIX: 'athera-dev-',
    // Browsers reach the embedded server at the endpoint itself.
    S3_PUBLIC_URL: '',
    S3_SERVER_SIDE_ENCRYPTION: 'false',
  }
}

const HEADER = [
  '# Development settings, written by `node ace setup` with fresh secrets. Setup never',
  '# overwrites this file: edit it, or delete it and run setup again. .env.example explains',
  '# every variable; each is validated at boot (start/env.ts).',
]

/**
 * .env.example with `values` put in: each variable's line is rewritten in place (a commented
 * `# KEY=` line is uncommented when the example has no live one), so the comments stay next to
 * the settings they explain; variables the example lacks go at the end. The example's own
 * header ("copy to .env") gives way to ours.
 */
export function developmentEnvFile(example: string, values: Record<string, string>) {
  const lines = example.replace(/\r\n/g, '\n').split('\n')
  const firstBlank = lines.findIndex((line) => line.trim() === '')
  const body = lines[0]?.startsWith('#') && firstBlank > 0 ? lines.slice(firstBlank) : lines
  const live = new Set(body.map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1]).filter(Boolean))
  const written = new Set<string>()
  const out = body.map((line) => {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=/.exec(line)
    if (!match) return line
    const [, commented, key] = match
    if (!(key in values) || written.has(key) || (commented && live.has(key))) return line
    written.add(key)
    return `${key}=${values[key]}`
  })
  while (out.length > 0 && out[out.length - 1].trim() === '') out.pop()
  const missing = Object.keys(values).filter((key) => !written.has(key))
  if (missing.length > 0)
    out.push('', '# Also set by node ace setup.', ...missing.map((key) => `${key}=${values[key]}`))
  return [...HEADER, ...out, ''].join('\n')
}

/** PostgreSQL's rules for a database name we create without quoting surprises. */
export function checkDatabaseName(name: string) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new SetupProblem(
      'E_BAD_DATABASE_NAME',
      `"${name}" cannot be the database name: use lower-case letters, digits and underscores (at most 63, not starting with a digit).`
    )
  }
}

interface DatabaseSettings {
  DB_HOST: string
  DB_PORT: string
  DB_USER: string
  DB_PASSWORD?: string
  DB_DATABASE: string
}

function unreachable(error: unknown) {
  const code = (error as NodeJS.ErrnoException).code ?? ''
  return (
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET'].includes(
      code
    ) || /timeout|timed out/i.test((error as Error).message)
  )
}

/** Connects to the `postgres` maintenance database; creates DB_DATABASE when it is missing. */
export async function ensureDatabase(settings: DatabaseSettings): Promise<'created' | 'exists'> {
  const { DB_HOST: host, DB_PORT: port, DB_USER: user, DB_DATABASE: name } = settings
  checkDatabaseName(name)
  const client = new pg.Client({
    host,
    port: Number(port),
    user,
    password: settings.DB_PASSWORD || undefined,
    database: 'postgres',
    connectionTimeoutMillis: 5000,
  })
  try {
    await client.connect()
  } catch (error) {
    await client.end().catch(() => {})
    const code = (error as { code?: string }).code
    if (unreachable(error)) {
      throw new SetupProblem(
        'E_POSTGRES_UNREACHABLE',
        `PostgreSQL is not reachable at ${host}:${port}: start it (for example: sudo service postgresql start), or set DB_HOST and DB_PORT in .env.`
      )
    }
    if (code === '28P01' || code === '28000' || /password/i.test((error as Error).message)) {
      throw new SetupProblem(
        'E_POSTGRES_LOGIN',
        `PostgreSQL refused to let "${user}" log in (${(error as Error).message}): set DB_USER and DB_PASSWORD in .env to a role that can log in over TCP and create databases.`
      )
    }
    throw error
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (rowCount) return 'exists'
    await client.query(`CREATE DATABASE "${name}"`).catch((error) => {
      if ((error as { code?: string }).code !== '42501') throw error
      throw new SetupProblem(
        'E_POSTGRES_CREATE',
        `"${user}" may not create databases: create it yourself (createdb -O ${user} ${name}) or give the role CREATEDB, then run node ace setup again.`
      )
    })
    return 'created'
  } finally {
    await client.end()
  }
}

/** How many accounts the database holds (the demo goes only into an empty instance). */
export async function countAccounts(settings: DatabaseSettings) {
  const client = new pg.Client({
    host: settings.DB_HOST,
    port: Number(settings.DB_PORT),
    user: settings.DB_USER,
    password: settings.DB_PASSWORD || undefined,
    database: settings.DB_DATABASE,
  })
  await client.connect()
  try {
    const { rows } = await client.query<{ count: string }>('SELECT count(*) AS count FROM users')
    return Number(rows[0].count)
  } finally {
    await client.end()
  }
}

interface RedisSettings {
  REDIS_HOST: string
  REDIS_PORT: string
  REDIS_PASSWORD?: string
  REDIS_DB?: string
}

/** One PING with the app's connection settings, once, without retrying. */
export async function checkRedis(settings: RedisSettings) {
  const { REDIS_HOST: host, REDIS_PORT: port } = settings
  const redis = new Redis({
    host,
    port: Number(port),
    password: settings.REDIS_PASSWORD || undefined,
    db: Number(settings.REDIS_DB || 0),
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  })
  // Connection errors are answered below; without a listener ioredis would also print them.
  redis.on('error', () => {})
  try {
    await redis.connect()
    // ioredis selects REDIS_DB on connect but only reports a refusal as an event: ask again.
    await redis.select(Number(settings.REDIS_DB || 0))
    await redis.ping()
  } catch (error) {
    const message = (error as Error).message
    if (/NOAUTH|WRONGPASS|invalid password|AUTH/i.test(message)) {
      throw new SetupProblem(
        'E_REDIS_LOGIN',
        `Redis at ${host}:${port} refused the connection (${message}): set REDIS_PASSWORD in .env to the server's password.`
      )
    }
    if (/DB index|invalid DB/i.test(message)) {
      throw new SetupProblem(
        'E_REDIS_DB',
        `Redis at ${host}:${port} has no database ${settings.REDIS_DB}: set REDIS_DB in .env to a number below the server's "databases" setting (16 by default).`
      )
    }
    throw new SetupProblem(
      'E_REDIS_UNREACHABLE',
      `Redis is not reachable at ${host}:${port}: start it (for example: sudo service redis-server start), or set REDIS_HOST and REDIS_PORT in .env.`
    )
  } finally {
    redis.disconnect()
  }
}

/** An S3 server that is not ours (S3_EMBEDDED unset) must already answer at S3_ENDPOINT:S3_PORT. */
export async function checkS3Reachable(host: string, port: number) {
  const socket = connect({ host, port, timeout: 3000 })
  const reached = await new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true))
    socket.once('timeout', () => resolve(false))
    socket.once('error', () => resolve(false))
  })
  socket.destroy()
  if (!reached) {
    throw new SetupProblem(
      'E_S3_UNREACHABLE',
      `No S3 server answers at ${host}:${port}, and the demo's media go there: start it, or set S3_EMBEDDED=true in .env to let setup and npm run dev run one.`
    )
  }
}
