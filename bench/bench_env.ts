/** The catalog benchmark's database: its seeder refuses any other. */
export const CATALOG_BENCH_DATABASE = 'athera_bench_catalog'

/** The fault drill's throw-away database (on its own PostgreSQL): its seeder refuses any other. */
export const DRILL_DATABASE = 'athera_drill'

import { randomBytes } from 'node:crypto'

/**
 * The environment of an appliance process started by a benchmark: its own database, Redis
 * database, s3rver port and HTTP port, so a benchmark never touches the tests' or a dev
 * instance's data. PostgreSQL comes from DB_* when set (CI's and this machine's defaults else).
 * A production-mode process refuses placeholder or short secrets (start/secret_checks.ts), so
 * it gets random ones: PostgreSQL's trust login and a Redis without a password ignore theirs,
 * and the benchmark's s3rver must be started with `allowMismatchedSignatures`.
 */
export function benchEnv(options: {
  port: number
  nodeEnv: 'development' | 'production'
  database: string
  redisDb: number
  s3Port: number
  bucketPrefix?: string
}): Record<string, string> {
  const production = options.nodeEnv === 'production'
  const secret = () => randomBytes(24).toString('base64url')
  return {
    NODE_ENV: options.nodeEnv,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    APP_URL: `http://127.0.0.1:${options.port}`,
    APP_KEY: production ? secret() : 'bench-key-not-secret-0123456789abcdef',
    LOG_LEVEL: 'warn',
    // No worker, no queue: a benchmark's server only answers requests.
    ATHERA_ROLES: 'web',
    // In the benchmark's own Redis database (a cookie store is refused: it cannot be revoked).
    SESSION_DRIVER: 'redis',
    LIMITER_STORE: 'memory',
    DB_HOST: process.env.DB_HOST ?? '127.0.0.1',
    DB_PORT: process.env.DB_PORT ?? '5432',
    DB_USER: process.env.DB_USER ?? 'postgres',
    DB_PASSWORD: process.env.DB_PASSWORD || (production ? secret() : ''),
    DB_DATABASE: options.database,
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: '6379',
    REDIS_DB: String(options.redisDb),
    ...(production ? { REDIS_PASSWORD: process.env.REDIS_PASSWORD || secret() } : {}),
    S3_ENDPOINT: '127.0.0.1',
    S3_PORT: String(options.s3Port),
    S3_USE_SSL: 'false',
    S3_ACCESS_KEY: 'S3RVER',
    S3_SECRET_KEY: production ? secret() : 'S3RVER',
    S3_REGION: 'us-east-1',
    S3_BUCKET_PREFIX: options.bucketPrefix ?? 'bench-',
    S3_SERVER_SIDE_ENCRYPTION: 'false',
  }
}
