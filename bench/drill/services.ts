/**
 * The drill's own services, started when this module loads, each on a free port: a temporary
 * PostgreSQL cluster, a redis-server, an s3rver, a fake Stripe, a canary HTTP server hostile
 * media points at; and the appliance's web and worker processes against them.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer as createHttpServer } from 'node:http'
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import S3rver from 's3rver'
import { FakeStripe } from '../../tests/helpers/fake_stripe.js'
import { DRILL_DATABASE } from '../bench_env.js'
import { children, cleanups, freePort, run, until } from './processes.js'

export const root = new URL('../../', import.meta.url).pathname
const PG_BIN = process.env.DRILL_PG_BIN ?? '/usr/lib/postgresql/15/bin'
export const BUCKET_PREFIX = 'drill-'

export const work = await mkdtemp(join(tmpdir(), 'athera-drill-'))
cleanups.push(() => rm(work, { recursive: true, force: true }))
const asRoot = userInfo().uid === 0
/** PostgreSQL refuses to run as root: as root, its binaries run as the `postgres` user. */
const pgCommand = (bin: string, args: string[]) =>
  (asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]]
    : [join(PG_BIN, bin), args]) as [string, string[]]

export const pgDir = join(work, 'pg')
export const pgPort = await freePort()
export async function pgCtl(...args: string[]) {
  const [command, argv] = pgCommand('pg_ctl', ['-D', pgDir, '-w', '-t', '60', ...args])
  await run(command, argv, { timeout: 90_000 })
}
export async function startPostgres() {
  await mkdir(pgDir, { recursive: true })
  if (asRoot) {
    // The postgres user must reach its directory through the drill's (private) one.
    await chmod(work, 0o711)
    await chown(pgDir, ...(await postgresIds()))
  }
  const [command, argv] = pgCommand('initdb', [
    '-D',
    pgDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ])
  await run(command, argv, { timeout: 120_000 })
  await pgCtl(
    '-o',
    `-p ${pgPort} -k ${pgDir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    '-l',
    join(pgDir, 'log'),
    'start'
  )
  cleanups.push(() => pgCtl('-m', 'immediate', 'stop').catch(() => {}))
}
async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run('id', ['postgres'])
  return [Number(stdout.match(/uid=(\d+)/)![1]), Number(stdout.match(/gid=(\d+)/)![1])]
}

export const redisPort = await freePort()
let redis: ChildProcess | null = null
export async function startRedis() {
  // An append-only file, as compose runs Redis: sessions and queued jobs survive its restart.
  redis = spawn(
    'redis-server',
    [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'yes',
      '--dir',
      work,
    ],
    { stdio: 'ignore' }
  )
  children.add(redis)
  const ok = await until(
    async () => {
      const result = await run('redis-cli', ['-p', String(redisPort), 'ping'])
      return result.stdout.includes('PONG')
    },
    10_000,
    100
  )
  if (!ok) throw new Error('the drill redis-server did not start')
}
export async function stopRedis() {
  if (!redis || redis.exitCode !== null || redis.signalCode !== null) return
  const exited = new Promise((resolve) => redis!.once('exit', resolve))
  redis.kill('SIGTERM')
  await exited
}
cleanups.push(stopRedis)

export const s3Port = await freePort()
const s3Dir = join(work, 's3')
export const s3 = new S3rver({
  address: '127.0.0.1',
  port: s3Port,
  silent: true,
  directory: s3Dir,
  configureBuckets: [],
})

export const stripe = await FakeStripe.start()
cleanups.push(() => stripe.stop())

// A loopback URL hostile media points at: any connection to it is a server-side request forgery.
export let canaryHits = 0
const canary = createHttpServer((_request, response) => {
  canaryHits += 1
  response.end('#EXTM3U\n')
})
await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve))
cleanups.push(() => new Promise((resolve) => canary.close(() => resolve())))
export const canaryUrl = `http://127.0.0.1:${(canary.address() as { port: number }).port}/canary`
export const canaryFile = join(work, 'canary-secret.txt')

export const webPort = await freePort()
export const BASE = `http://127.0.0.1:${webPort}`
stripe.webhookUrl = `${BASE}/webhooks/stripe`
export const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'development',
  PORT: String(webPort),
  HOST: '127.0.0.1',
  APP_URL: BASE,
  APP_KEY: 'drill-key-not-secret-0123456789abcdef',
  LOG_LEVEL: 'warn',
  // Sessions in Redis, as compose runs them (the cookie store cannot be revoked and is refused).
  SESSION_DRIVER: 'redis',
  LIMITER_STORE: 'memory',
  DB_HOST: '127.0.0.1',
  DB_PORT: String(pgPort),
  DB_USER: 'postgres',
  DB_PASSWORD: '',
  DB_DATABASE: DRILL_DATABASE,
  REDIS_HOST: '127.0.0.1',
  REDIS_PORT: String(redisPort),
  REDIS_PASSWORD: '',
  REDIS_DB: '0',
  S3_ENDPOINT: '127.0.0.1',
  S3_PORT: String(s3Port),
  S3_USE_SSL: 'false',
  S3_ACCESS_KEY: 'S3RVER',
  S3_SECRET_KEY: 'S3RVER',
  S3_REGION: 'us-east-1',
  S3_BUCKET_PREFIX: BUCKET_PREFIX,
  S3_SERVER_SIDE_ENCRYPTION: 'false',
  STRIPE_SECRET_KEY: stripe.secretKey,
  STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
  STRIPE_CONNECT_WEBHOOK_SECRET: stripe.connectWebhookSecret,
  STRIPE_API_BASE: stripe.url,
  UPLOAD_STAGING_DIR: join(work, 'staging'),
  PIPELINE_WORK_DIR: join(work, 'processing'),
  // Short locks, as in the worker-crash test: a killed worker's job is taken over in seconds.
  QUEUE_LOCK_DURATION_MS: '4000',
  QUEUE_STALLED_INTERVAL_MS: '2000',
  QUEUE_CONCURRENCY: '1',
}
export const ace = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['ace', ...args], {
    cwd: root,
    env: { ...env, ...extra },
    timeout: 180_000,
  })

export const logs: string[] = []
export function startApp(roles: 'web' | 'worker') {
  const child = spawn(process.execPath, ['--import', '@poppinss/ts-exec', 'bin/server.ts'], {
    cwd: root,
    env: { ...env, ATHERA_ROLES: roles },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  const keep = (chunk: Buffer) => {
    logs.push(`[${roles} ${child.pid}] ${chunk}`)
    if (logs.length > 400) logs.splice(0, logs.length - 400)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  child.once('exit', () => children.delete(child))
  return child
}
export let workers: ChildProcess[] = []
export async function startWorker() {
  const before = logs.join('').split('worker started').length
  const worker = startApp('worker')
  workers.push(worker)
  if (!(await until(async () => logs.join('').split('worker started').length > before, 60_000)))
    throw new Error(`a worker did not start\n${logs.join('').slice(-3000)}`)
  return worker
}
export function killWorker(worker: ChildProcess) {
  worker.kill('SIGKILL')
  workers = workers.filter((candidate) => candidate !== worker)
}
