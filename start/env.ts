/*
|--------------------------------------------------------------------------
| Environment variables
|--------------------------------------------------------------------------
|
| Every setting the process reads from its environment is validated here, at boot, so a
| misconfigured appliance stops with a sentence naming the variable instead of failing
| later on a request. `.env.example` documents each one.
|
*/
import { isIP } from 'node:net'
import { Env } from '@adonisjs/core/env'
import { checkProductionSecrets } from './secret_checks.js'

const ROLES = ['web', 'worker'] as const
export type ProcessRole = (typeof ROLES)[number]

/** Parses ATHERA_ROLES ("web,worker", "web" or "worker") into a list of roles. */
function roles(key: string, value?: string): ProcessRole[] {
  const raw = (value ?? 'web,worker').trim()
  const parts = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
  const unknown = parts.filter((part) => !ROLES.includes(part as ProcessRole))
  if (parts.length === 0 || unknown.length > 0) {
    throw new Error(
      `Invalid value for "${key}": "${raw}". Use "web,worker" (default), "web" or "worker".`
    )
  }
  return [...new Set(parts)] as ProcessRole[]
}

/** A positive integer with an upper bound, with a message that says which setting is wrong. */
function positiveInt(max: number, fallback: number) {
  return (key: string, value?: string) => {
    if (value === undefined || value === '') return fallback
    const parsed = Number(value)
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) {
      throw new Error(
        `Invalid value for "${key}": "${value}". Expected a whole number from 1 to ${max}.`
      )
    }
    return parsed
  }
}

/** A number from 0 to 1 (a threshold or a fraction of a size). */
function fraction(fallback: number) {
  return (key: string, value?: string) => {
    if (value === undefined || value === '') return fallback
    const parsed = Number(value)
    if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
      throw new Error(`Invalid value for "${key}": "${value}". Expected a number from 0 to 1.`)
    }
    return parsed
  }
}

/**
 * TRUSTED_PROXIES: the peers whose X-Forwarded-For is believed (proxy-addr's syntax: the
 * names loopback, linklocal, uniquelocal, addresses and CIDR ranges, comma-separated). Anyone
 * else's header is ignored, so a client cannot pick the IP its rate limits and evidence use.
 */
function trustedProxies(key: string, value?: string) {
  const raw = (value ?? '').trim() || 'loopback'
  for (const item of raw.split(',').map((part) => part.trim())) {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(item)) continue
    const [address, range, ...rest] = item.split('/')
    const family = isIP(address)
    const bits = family === 4 ? 32 : 128
    const rangeOk =
      range === undefined ||
      (/^\d+$/.test(range) && Number(range) <= bits) ||
      (family === 4 && isIP(range) === 4)
    if (!family || !rangeOk || rest.length > 0) {
      throw new Error(
        `Invalid value for "${key}": "${item}". Use loopback, linklocal, uniquelocal, an IP address or a CIDR range, comma-separated.`
      )
    }
  }
  return raw
}

/** Server-side stores only: a session in a cookie cannot be revoked when a password changes. */
function sessionDriver(key: string, value?: string) {
  if (value === 'redis' || value === 'memory') return value
  if (value === 'cookie') {
    throw new Error(
      `Invalid value for "${key}": "cookie" sessions cannot be signed out from elsewhere. Use "redis" (compose's default).`
    )
  }
  throw new Error(`Invalid value for "${key}": "${value ?? ''}". Use "redis" or "memory" (tests).`)
}

/*
| Exported so a test can validate what compose.yaml hands the container against the same rules.
*/
export const envSchema = {
  NODE_ENV: Env.schema.enum(['development', 'production', 'test'] as const),
  PORT: Env.schema.number(),
  HOST: Env.schema.string({ format: 'host' }),
  APP_URL: Env.schema.string({ format: 'url', tld: false }),
  APP_KEY: Env.schema.secret(),
  LOG_LEVEL: Env.schema.enum([
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ] as const),

  /*
  | Which parts of the appliance this process runs.
  */
  ATHERA_ROLES: roles,
  QUEUE_CONCURRENCY: positiveInt(64, 1),
  QUEUE_LOCK_DURATION_MS: Env.schema.number.optional(),
  QUEUE_STALLED_INTERVAL_MS: Env.schema.number.optional(),
  // On SIGTERM, running jobs get this long (ms) to finish before they are handed back.
  QUEUE_DRAIN_MS: Env.schema.number.optional(),

  /*
  | What every clip is standardized to.
  */
  PIPELINE_FPS: Env.schema.number.optional(),
  PIPELINE_WIDTH: Env.schema.number.optional(),
  PIPELINE_HEIGHT: Env.schema.number.optional(),
  PIPELINE_KEEP_AUDIO: Env.schema.boolean.optional(),
  PIPELINE_WORK_DIR: Env.schema.string.optional(),
  // A run may take this many times the clip's length, and never less than the minimum (seconds).
  PIPELINE_TIME_LIMIT_FACTOR: positiveInt(1000, 10),
  PIPELINE_TIME_LIMIT_MIN_SECONDS: positiveInt(86_400, 600),

  /*
  | Development demo data: `node ace db:seed` gives the demo clips the videos of this folder
  | (mp4, mov, mkv, webm), run through the pipeline. Without it the demo clips have no media.
  */
  DEMO_MEDIA_DIR: Env.schema.string.optional(),

  /*
  | Anonymization and pose models
  */
  MODEL_CACHE_DIR: Env.schema.string.optional(),
  VISION_PROVIDER: Env.schema.enum.optional(['cpu', 'cuda'] as const),
  VISION_THREADS: positiveInt(64, 2),
  VISION_LANE: Env.schema.boolean.optional(),
  VISION_DETECT_EVERY: positiveInt(10, 2),
  ANONYMIZE_FACE_THRESHOLD: fraction(0.35),
  ANONYMIZE_FACE_TILES: Env.schema.boolean.optional(),
  ANONYMIZE_FACE_SSD_EVERY: positiveInt(10, 3),
  ANONYMIZE_MARGIN: fraction(0.2),
  ANONYMIZE_BLUR: Env.schema.enum.optional(['gaussian', 'pixelate', 'solid'] as const),
  ANONYMIZE_TEXT: Env.schema.enum.optional(['numbers', 'identifying', 'all'] as const),
  POSE_MODEL: Env.schema.enum.optional(['lite', 'full', 'heavy'] as const),
  POSE_INVERTED_SPORTS: Env.schema.string.optional(),

  /*
  | Session and rate limits
  */
  SESSION_DRIVER: sessionDriver,
  LIMITER_STORE: Env.schema.enum(['redis', 'memory'] as const),

  /*
  | PostgreSQL
  */
  DB_HOST: Env.schema.string({ format: 'host' }),
  DB_PORT: Env.schema.number(),
  DB_USER: Env.schema.string(),
  DB_PASSWORD: Env.schema.string.optional(),
  DB_DATABASE: Env.schema.string(),

  /*
  | Redis (queue, rate limits, live progress)
  */
  REDIS_HOST: Env.schema.string({ format: 'host' }),
  REDIS_PORT: Env.schema.number(),
  REDIS_PASSWORD: Env.schema.string.optional(),
  REDIS_DB: Env.schema.number.optional(),

  /*
  | S3 object storage (the bundled MinIO)
  */
  S3_ENDPOINT: Env.schema.string({ format: 'host' }),
  S3_PORT: Env.schema.number(),
  S3_USE_SSL: Env.schema.boolean(),
  S3_ACCESS_KEY: Env.schema.string(),
  S3_SECRET_KEY: Env.schema.secret(),
  S3_REGION: Env.schema.string(),
  S3_BUCKET_PREFIX: Env.schema.string.optional(),
  S3_PUBLIC_URL: Env.schema.string.optional({ format: 'url', tld: false }),
  S3_SERVER_SIDE_ENCRYPTION: Env.schema.boolean.optional(),
  // Development only: `npm run dev` runs an S3 server itself (providers/embedded_s3_provider.ts).
  S3_EMBEDDED: Env.schema.boolean.optional(),

  /*
  | Stripe (payments). Without STRIPE_SECRET_KEY paid datasets say payments are not configured;
  | free ones can still be claimed and admins grant licences. STRIPE_API_BASE points the stripe
  | client at another server speaking Stripe's wire format (tests, the local demo's fake Stripe).
  */
  STRIPE_SECRET_KEY: Env.schema.secret.optional(),
  STRIPE_WEBHOOK_SECRET: Env.schema.secret.optional(),
  STRIPE_CONNECT_WEBHOOK_SECRET: Env.schema.secret.optional(),
  STRIPE_API_BASE: Env.schema.string.optional({ format: 'url', tld: false }),

  /*
  | Buyers' webhooks (withdrawal notices). They never reach loopback, private or link-local
  | addresses unless this is true (the tests' local receivers, receivers on the same network).
  */
  WEBHOOK_ALLOW_INTERNAL: Env.schema.boolean.optional(),

  /*
  | Uploads in progress are staged here (default: tmp/uploads in the app folder).
  */
  UPLOAD_STAGING_DIR: Env.schema.string.optional(),

  /*
  | Media tools
  */
  FFMPEG_PATH: Env.schema.string.optional(),
  FFPROBE_PATH: Env.schema.string.optional(),

  /*
  | Outgoing mail (password reset). Without SMTP_HOST, resets go through
  | `node ace user:reset-password`.
  */
  SMTP_HOST: Env.schema.string.optional({ format: 'host' }),
  SMTP_PORT: Env.schema.number.optional(),
  SMTP_USERNAME: Env.schema.string.optional(),
  SMTP_PASSWORD: Env.schema.string.optional(),
  SMTP_SECURE: Env.schema.boolean.optional(),
  MAIL_FROM_ADDRESS: Env.schema.string.optional({ format: 'email' }),

  /*
  | Reverse proxies whose X-Forwarded-For is believed (default: loopback only).
  */
  TRUSTED_PROXIES: trustedProxies,
}

const env = await Env.create(new URL('../', import.meta.url), envSchema)

/*
| The embedded S3 server is s3rver, a development dependency that keeps objects in tmp/s3 with
| no access control beyond one key pair: never a production store. It serves plain HTTP on
| loopback, and the S3 settings must say so.
*/
if (env.get('S3_EMBEDDED')) {
  if (env.get('NODE_ENV') === 'production') {
    throw new Error(
      'S3_EMBEDDED=true is for development only: in production, point S3_ENDPOINT at a real S3 server (compose runs MinIO) and remove S3_EMBEDDED.'
    )
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(env.get('S3_ENDPOINT'))) {
    throw new Error(
      `S3_EMBEDDED=true runs the S3 server on this machine, but S3_ENDPOINT is "${env.get('S3_ENDPOINT')}": set S3_ENDPOINT=127.0.0.1.`
    )
  }
  if (env.get('S3_USE_SSL')) {
    throw new Error('S3_EMBEDDED=true serves plain HTTP on loopback: set S3_USE_SSL=false.')
  }
}

/*
| In production, a placeholder from .env.example or a short secret stops the process here,
| with a sentence naming the variable.
*/
if (env.get('NODE_ENV') === 'production') checkProductionSecrets(env)

export default env
