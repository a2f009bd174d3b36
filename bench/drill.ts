/*
 * Fault drills (not a test): runs the appliance as real processes on loopback — one web
 * server, worker processes — against services of its own, breaks things on purpose and
 * prints one table: per scenario, the runs, clips processed exactly once, objects orphaned,
 * half-written rows, licences issued and 5xx answers seen.
 *
 *   npm run drill            (node --import @poppinss/ts-exec bench/drill.ts)
 *
 * Never touches the machine's PostgreSQL or Redis: it starts a temporary PostgreSQL cluster
 * (initdb + pg_ctl, PostgreSQL 15 under /usr/lib/postgresql/15/bin, or DRILL_PG_BIN), its
 * own redis-server (append-only file, as in compose), an s3rver and a fake Stripe, each on a free port,
 * and removes every process and temporary directory when it ends, also on Ctrl-C. Needs
 * ffmpeg. Every scenario is bounded in time; the whole drill takes a few minutes.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { createServer as createHttpServer } from 'node:http'
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import S3rver from 's3rver'
import { Client as Minio } from 'minio'
import { FakeStripe } from '../tests/helpers/fake_stripe.js'
import { DRILL_DATABASE } from './bench_env.js'

const run = promisify(execFile)
const root = new URL('../', import.meta.url).pathname
const PG_BIN = process.env.DRILL_PG_BIN ?? '/usr/lib/postgresql/15/bin'
const BUCKET_PREFIX = 'drill-'
const PROCESS_WAIT_MS = Number(process.env.DRILL_PROCESS_WAIT_MS ?? 120_000)
const HOSTILE = Number(process.env.DRILL_HOSTILE ?? 200)

// ------------------------------------------------------------------ clean-up, also on Ctrl-C
const children = new Set<ChildProcess>()
const cleanups: (() => Promise<void>)[] = []
let cleaning: Promise<void> | null = null
function cleanUp() {
  cleaning ??= (async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    // Each step bounded: a service that hangs on close must not keep the drill (or its files) around.
    for (const step of cleanups.reverse()) {
      await Promise.race([step().catch((error) => console.error('clean-up:', error.message)), new Promise((resolve) => setTimeout(resolve, 20_000).unref())])
    }
  })()
  return cleaning
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping every process the drill started…`)
    cleanUp().finally(() => process.exit(130))
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 250) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true
    await sleep(everyMs)
  }
  return false
}
async function freePort() {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

// ------------------------------------------------------------------ the drill's own services
const work = await mkdtemp(join(tmpdir(), 'athera-drill-'))
cleanups.push(() => rm(work, { recursive: true, force: true }))
const asRoot = userInfo().uid === 0
/** PostgreSQL refuses to run as root: as root, its binaries run as the `postgres` user. */
const pgCommand = (bin: string, args: string[]) => (asRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]] : [join(PG_BIN, bin), args]) as [string, string[]]

const pgDir = join(work, 'pg')
const pgPort = await freePort()
async function pgCtl(...args: string[]) {
  const [command, argv] = pgCommand('pg_ctl', ['-D', pgDir, '-w', '-t', '60', ...args])
  await run(command, argv, { timeout: 90_000 })
}
async function startPostgres() {
  await mkdir(pgDir, { recursive: true })
  if (asRoot) {
    // The postgres user must reach its directory through the drill's (private) one.
    await chmod(work, 0o711)
    await chown(pgDir, ...(await postgresIds()))
  }
  const [command, argv] = pgCommand('initdb', ['-D', pgDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'])
  await run(command, argv, { timeout: 120_000 })
  await pgCtl('-o', `-p ${pgPort} -k ${pgDir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', join(pgDir, 'log'), 'start')
  cleanups.push(() => pgCtl('-m', 'immediate', 'stop').catch(() => {}))
}
async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run('id', ['postgres'])
  return [Number(stdout.match(/uid=(\d+)/)![1]), Number(stdout.match(/gid=(\d+)/)![1])]
}

const redisPort = await freePort()
let redis: ChildProcess | null = null
async function startRedis() {
  // An append-only file, as compose runs Redis: sessions and queued jobs survive its restart.
  redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', work], { stdio: 'ignore' })
  children.add(redis)
  const ok = await until(async () => {
    const result = await run('redis-cli', ['-p', String(redisPort), 'ping'])
    return result.stdout.includes('PONG')
  }, 10_000, 100)
  if (!ok) throw new Error('the drill redis-server did not start')
}
async function stopRedis() {
  if (!redis || redis.exitCode !== null || redis.signalCode !== null) return
  const exited = new Promise((resolve) => redis!.once('exit', resolve))
  redis.kill('SIGTERM')
  await exited
}
cleanups.push(stopRedis)

const s3Port = await freePort()
const s3Dir = join(work, 's3')
const s3 = new S3rver({ address: '127.0.0.1', port: s3Port, silent: true, directory: s3Dir, configureBuckets: [] })

const stripe = await FakeStripe.start()
cleanups.push(() => stripe.stop())

// A loopback URL hostile media points at: any connection to it is a server-side request forgery.
let canaryHits = 0
const canary = createHttpServer((_request, response) => {
  canaryHits += 1
  response.end('#EXTM3U\n')
})
await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve))
cleanups.push(() => new Promise((resolve) => canary.close(() => resolve())))
const canaryUrl = `http://127.0.0.1:${(canary.address() as { port: number }).port}/canary`
const canaryFile = join(work, 'canary-secret.txt')

const webPort = await freePort()
const BASE = `http://127.0.0.1:${webPort}`
stripe.webhookUrl = `${BASE}/webhooks/stripe`
const env: NodeJS.ProcessEnv = {
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
const ace = (args: string[], extra: NodeJS.ProcessEnv = {}) => run(process.execPath, ['ace', ...args], { cwd: root, env: { ...env, ...extra }, timeout: 180_000 })

const logs: string[] = []
function startApp(roles: 'web' | 'worker') {
  const child = spawn(process.execPath, ['--import', '@poppinss/ts-exec', 'bin/server.ts'], { cwd: root, env: { ...env, ATHERA_ROLES: roles }, stdio: ['ignore', 'pipe', 'pipe'] })
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
let workers: ChildProcess[] = []
async function startWorker() {
  const before = logs.join('').split('worker started').length
  const worker = startApp('worker')
  workers.push(worker)
  if (!(await until(async () => logs.join('').split('worker started').length > before, 60_000))) throw new Error(`a worker did not start\n${logs.join('').slice(-3000)}`)
  return worker
}
function killWorker(worker: ChildProcess) {
  worker.kill('SIGKILL')
  workers = workers.filter((candidate) => candidate !== worker)
}

// ------------------------------------------------------------------ HTTP, as a browser and a tus client
let fiveHundreds = 0
/** Chunks the tus client had to send again after a fault (what a browser's tus client does). */
let retries = 0
class Session {
  cookies = new Map<string, string>()
  csrf = ''
  async fetch(path: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers)
    headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    const response = await fetch(BASE + path, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(30_000) })
    if (response.status >= 500) fiveHundreds += 1
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const at = pair.indexOf('=')
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1))
    }
    return response
  }
  async page(path: string) {
    const response = await this.fetch(path)
    const html = await response.text()
    this.csrf = html.match(/<meta name="csrf-token" content="([^"]+)"/)?.[1] ?? this.csrf
    return html
  }
  form(path: string, fields: [string, string][]) {
    const body = new URLSearchParams([...fields, ['_csrf', this.csrf]])
    return this.fetch(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
  }
}
const b64 = (value: string) => Buffer.from(value).toString('base64')
const metadata = (values: Record<string, string>) => Object.entries(values).map(([k, v]) => `${k} ${b64(v)}`).join(',')

/** One tus upload: create, then PATCH in `chunks`; `between` runs after the first chunk (a fault). */
async function upload(session: Session, consentId: string, bytes: Buffer, options: { filename: string; filetype?: string; chunks?: number; between?: () => Promise<void> }) {
  const tus = { 'Tus-Resumable': '1.0.0', 'X-CSRF-TOKEN': session.csrf }
  let created: Response
  try {
    created = await session.fetch('/uploads', {
      method: 'POST',
      headers: { ...tus, 'Upload-Length': String(bytes.length), 'Upload-Metadata': metadata({ consentId, filename: options.filename, filetype: options.filetype ?? 'video/mp4', title: `Drill ${options.filename.slice(0, 40)}`, sport: 'football' }) },
    })
  } catch (error) {
    return { status: 0, clipId: null, error: (error as Error).message }
  }
  if (created.status !== 201) return { status: created.status, clipId: null, error: await created.text() }
  const location = created.headers.get('location')!
  const chunks = Math.max(1, options.chunks ?? 1)
  const size = Math.ceil(bytes.length / chunks) || 1
  let offset = 0
  let last: Response | null = null
  let first = true
  do {
    const body = bytes.subarray(offset, offset + size)
    // A fault between chunks: the client retries the same chunk, as tus-js-client does.
    for (let attempt = 0; attempt < 8; attempt++) {
      if (attempt) retries += 1
      try {
        last = await session.fetch(location, { method: 'PATCH', headers: { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) }, body: new Uint8Array(body) })
        if (last.status === 204 || last.status < 500) break
      } catch {
        last = null
      }
      await sleep(1000)
      const head = await session.fetch(location, { method: 'HEAD', headers: tus }).catch(() => null)
      if (head?.ok) offset = Number(head.headers.get('upload-offset') ?? offset)
    }
    if (!last || last.status !== 204) return { status: last?.status ?? 0, clipId: null, error: last ? await last.text() : 'no answer' }
    offset = Number(last.headers.get('upload-offset'))
    if (first && options.between) {
      first = false
      await options.between()
    }
  } while (offset < bytes.length)
  return { status: 204, clipId: last!.headers.get('athera-clip-id'), error: null }
}

// ------------------------------------------------------------------ media
async function ffmpeg(args: string[]) {
  await run('ffmpeg', ['-v', 'error', '-y', ...args], { timeout: 120_000 })
}
let clipCounter = 0
/** A short test video, unique bytes each time (a re-upload of the same bytes is a duplicate). */
async function testVideo(seconds = 3) {
  clipCounter += 1
  const path = join(work, `clip-${clipCounter}.mp4`)
  const pattern = ['testsrc', 'testsrc2', 'smptebars', 'rgbtestsrc'][clipCounter % 4]
  await ffmpeg(['-f', 'lavfi', '-i', `${pattern}=size=320x240:rate=25:duration=${seconds}`, '-vf', `hue=h=${clipCounter * 37}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-metadata', `comment=drill-${clipCounter}-${randomBytes(4).toString('hex')}`, '-movflags', '+faststart', path])
  return readFile(path)
}

// ------------------------------------------------------------------ checks, as SQL and S3 listings
let db!: pg.Client
let minio!: Minio
async function connectDb() {
  db = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', database: DRILL_DATABASE })
  db.on('error', () => {})
  await db.connect()
}
async function q<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await db.query(sql, params)
      return result.rows as T[]
    } catch (error) {
      if (attempt > 20) throw error
      await sleep(500)
      await db.end().catch(() => {})
      await connectDb().catch(() => {})
    }
  }
}
async function count(sql: string, params: unknown[] = []) {
  const [row] = await q<{ n: string }>(sql, params)
  return Number(row.n)
}

async function listBucket(name: string) {
  const keys: { key: string; size: number }[] = []
  const bucket = `${BUCKET_PREFIX}${name}`
  if (!(await minio.bucketExists(bucket).catch(() => false))) return keys
  await new Promise<void>((resolve, reject) => {
    const stream = minio.listObjectsV2(bucket, '', true)
    stream.on('data', (item) => item.name && keys.push({ key: item.name, size: item.size }))
    stream.on('end', () => resolve())
    stream.on('error', reject)
  })
  return keys
}

/** Objects (and staged files) nothing references; rows whose object is missing. */
async function storageState() {
  const assets = await q<{ bucket: string; key: string; bytes: string }>('SELECT bucket, key, bytes FROM clip_assets')
  const referenced = new Map(assets.map((asset) => [`${asset.bucket}/${asset.key}`, Number(asset.bytes)]))
  const receiving = await q<{ id: string }>(`SELECT id FROM uploads WHERE status = 'receiving'`)
  const stored = new Map<string, number>()
  for (const bucket of ['raw', 'processed', 'previews']) for (const object of await listBucket(bucket)) stored.set(`${bucket}/${object.key}`, object.size)
  let orphans = 0
  for (const key of stored.keys()) if (!referenced.has(key) && !receiving.some((row) => key.includes(row.id))) orphans += 1
  const staged = existsSync(env.UPLOAD_STAGING_DIR!) ? await readdir(env.UPLOAD_STAGING_DIR!) : []
  orphans += staged.filter((file) => !receiving.some((row) => file.startsWith(row.id))).length
  let missing = 0
  for (const [key, bytes] of referenced) if (stored.get(key) !== bytes) missing += 1
  return { orphans, missing }
}

/** Rows a crash or a fault may leave half-written, counted over the whole database. */
async function halfWritten() {
  const checks: Record<string, string> = {
    'clip without consent link': `SELECT count(*) AS n FROM clips c WHERE NOT EXISTS (SELECT 1 FROM consent_record_clips x WHERE x.clip_id = c.id)`,
    'upload accepted without clip': `SELECT count(*) AS n FROM uploads WHERE status = 'accepted' AND clip_id IS NULL`,
    'run left running': `SELECT count(*) AS n FROM processing_runs r JOIN clips c ON c.id = r.clip_id WHERE r.status = 'running' AND (c.status <> 'processing' OR r.started_at < now() - interval '3 minutes')`,
    'clip stuck uploaded/processing': `SELECT count(*) AS n FROM clips WHERE status IN ('uploaded', 'processing') AND updated_at < now() - interval '90 seconds'`,
    'clip without raw asset': `SELECT count(*) AS n FROM clips c WHERE NOT EXISTS (SELECT 1 FROM clip_assets a WHERE a.clip_id = c.id AND a.kind = 'raw') AND c.status NOT IN ('withdrawn', 'approved')`,
    'unbalanced ledger group': `SELECT count(*) AS n FROM (SELECT group_id FROM ledger_entries GROUP BY group_id HAVING sum(amount_cents) <> 0) g`,
    'purchase licence without order': `SELECT count(*) AS n FROM licences WHERE source = 'purchase' AND order_id IS NULL`,
    'paid order without licence': `SELECT count(*) AS n FROM orders o WHERE o.status = 'paid' AND NOT EXISTS (SELECT 1 FROM licences l WHERE l.order_id = o.id)`,
  }
  const found: Record<string, number> = {}
  for (const [name, sql] of Object.entries(checks)) found[name] = await count(sql).catch(() => -1)
  return found
}
const total = (found: Record<string, number>) => Object.values(found).reduce((sum, value) => sum + Math.max(0, value), 0)

/** Processed exactly once: processed, one succeeded run, none running, every asset stored with its size. */
async function processedOnce(clipId: string) {
  const [clip] = await q<{ status: string }>('SELECT status FROM clips WHERE id = $1', [clipId])
  if (clip?.status !== 'processed' && clip?.status !== 'approved') return false
  const runs = await q<{ status: string }>('SELECT status FROM processing_runs WHERE clip_id = $1', [clipId])
  if (runs.filter((runRow) => runRow.status === 'succeeded').length !== 1 || runs.some((runRow) => runRow.status === 'running')) return false
  const assets = await q<{ bucket: string; key: string; bytes: string; kind: string }>('SELECT bucket, key, bytes, kind FROM clip_assets WHERE clip_id = $1', [clipId])
  if (!assets.some((asset) => asset.kind === 'video') || !assets.some((asset) => asset.kind === 'keypoints')) return false
  for (const asset of assets) {
    const stat = await minio.statObject(`${BUCKET_PREFIX}${asset.bucket}`, asset.key).catch(() => null)
    if (!stat || stat.size !== Number(asset.bytes)) return false
  }
  return true
}
async function waitProcessed(clipIds: string[], timeoutMs = PROCESS_WAIT_MS) {
  await until(async () => {
    const rows = await q<{ status: string }>(`SELECT status FROM clips WHERE id = ANY($1::uuid[])`, [clipIds])
    return rows.length === clipIds.length && rows.every((row) => !['uploaded', 'processing'].includes(row.status))
  }, timeoutMs, 1000)
  let once = 0
  for (const id of clipIds) if (await processedOnce(id)) once += 1
  return once
}

// ------------------------------------------------------------------ the table
interface Row {
  scenario: string
  runs: number
  once: string
  orphans: number
  halfWritten: number
  licences: string
  fiveHundreds: number
  note: string
}
const rows: Row[] = []
async function scenario(name: string, runs: number, body: () => Promise<{ once: string; licences?: string; note?: string }>) {
  const startedAt = Date.now()
  process.stdout.write(`· ${name}… `)
  const before = { storage: await storageState(), half: await halfWritten(), errors: fiveHundreds }
  let result: { once: string; licences?: string; note?: string }
  try {
    result = await body()
  } catch (error) {
    result = { once: 'error', note: (error as Error).message.slice(0, 160) }
  }
  await sleep(1500)
  const after = { storage: await storageState(), half: await halfWritten(), errors: fiveHundreds }
  const grew = Object.entries(after.half).filter(([key, value]) => value > (before.half[key] ?? 0)).map(([key, value]) => `${key} +${value - (before.half[key] ?? 0)}`)
  const row: Row = {
    scenario: name,
    runs,
    once: result.once,
    orphans: after.storage.orphans - before.storage.orphans,
    halfWritten: total(after.half) - total(before.half) + (after.storage.missing - before.storage.missing),
    licences: result.licences ?? '0',
    fiveHundreds: after.errors - before.errors,
    note: [result.note, ...grew, after.storage.missing > before.storage.missing ? `asset rows without object +${after.storage.missing - before.storage.missing}` : ''].filter(Boolean).join('; '),
  }
  rows.push(row)
  console.log(`${((Date.now() - startedAt) / 1000).toFixed(0)} s`)
}

function printTable() {
  const header = ['scenario', 'runs', 'clips processed exactly once', 'objects orphaned', 'half-written rows', 'licences issued', '5xx answers']
  const body = rows.map((row) => [row.scenario, String(row.runs), row.once, String(row.orphans), String(row.halfWritten), row.licences, String(row.fiveHundreds)])
  console.log('')
  console.log(`| ${header.join(' | ')} |`)
  console.log(`|${header.map(() => '---').join('|')}|`)
  for (const line of body) console.log(`| ${line.join(' | ')} |`)
  const notes = rows.filter((row) => row.note)
  if (notes.length) {
    console.log('')
    for (const row of notes) console.log(`- ${row.scenario}: ${row.note}`)
  }
}

// ------------------------------------------------------------------ the drill
const startedAt = Date.now()
try {
  console.log(`drill: PostgreSQL :${pgPort}, Redis :${redisPort}, s3rver :${s3Port}, fake Stripe ${stripe.url}, app :${webPort}`)
  await startPostgres()
  await startRedis()
  await s3.run()
  cleanups.push(() => s3.close().then(() => {}))
  minio = new Minio({ endPoint: '127.0.0.1', port: s3Port, useSSL: false, accessKey: 'S3RVER', secretKey: 'S3RVER', region: 'us-east-1' })
  const admin = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', database: 'postgres' })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${DRILL_DATABASE}`)
  await admin.end()
  await connectDb()
  await writeFile(canaryFile, `canary ${randomBytes(8).toString('hex')}\n`)

  // The checkout scenario's session exists at the fake before its order is seeded.
  const created = await fetch(`${stripe.url}/v1/checkout/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stripe.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ mode: 'payment', success_url: `${BASE}/checkout/success`, 'line_items[0][quantity]': '1', 'line_items[0][price_data][currency]': 'usd', 'line_items[0][price_data][unit_amount]': '2500', 'line_items[0][price_data][product_data][name]': 'Drill dataset' }),
    })
  const session = await created.json()
  await ace(['migration:run', '--force'])
  await ace(['db:seed', '--files', 'database/seeders/consent_text_seeder.ts'])
  await ace(['db:seed', '--connection', 'bench', '--files', 'bench/seeders/drill_seeder.ts'], { DRILL_SESSION_ID: session.id })
  await ace(['user:create', '--email', 'drill@athera.test', '--name', 'Drill Creator', '--password', 'drill password 1'])

  // Pages need the front-end build (as bench/catalog.ts does): built once, if missing.
  if (!existsSync(join(root, 'public/assets/.vite/manifest.json'))) await run('npx', ['vite', 'build'], { cwd: root, env, timeout: 300_000 })
  startApp('web')
  if (!(await until(() => fetch(`${BASE}/healthz`).then((response) => response.ok), 60_000, 300))) throw new Error(`the server did not start\n${logs.join('').slice(-3000)}`)
  await startWorker()

  const browser = new Session()
  await browser.page('/login')
  await browser.form('/login', [['email', 'drill@athera.test'], ['password', 'drill password 1']])
  const consentPage = await browser.page('/consent/new')
  const textId = consentPage.match(/name="textId" value="(\d+)"/)![1]
  const consent = await browser.form('/consent', [['textId', textId], ['subject', 'self'], ['athleteCount', '1'], ['scopes[]', 'processing'], ['usage', 'research'], ['signature', 'Drill Creator'], ['agree', 'on']])
  const consentId = new URL(consent.headers.get('location')!, BASE).searchParams.get('consent')!
  await browser.page(`/upload?consent=${consentId}`)
  console.log(`services up in ${((Date.now() - startedAt) / 1000).toFixed(0)} s; scenarios:`)

  await scenario('SIGKILL of a worker mid-job', 3, async () => {
    const ids: string[] = []
    let midJob = 0
    for (let index = 0; index < 3; index++) {
      const result = await upload(browser, consentId, await testVideo(4), { filename: `sigkill-${index}.mp4` })
      if (!result.clipId) throw new Error(`upload refused: ${result.status} ${result.error}`)
      ids.push(result.clipId)
      const midway = await until(async () => (await count(`SELECT count(*) AS n FROM clips WHERE id = $1 AND status = 'processing' AND progress >= 10`, [result.clipId])) === 1, 60_000, 200)
      for (const worker of [...workers]) killWorker(worker)
      await startWorker()
      if (midway) midJob += 1
      await waitProcessed([result.clipId])
    }
    // A killed worker cannot clean its local work directory; what is left there is disk, not S3.
    const workDir = env.PIPELINE_WORK_DIR!
    const leftovers = existsSync(workDir) ? await readdir(workDir) : []
    const leftover = leftovers.length
    return { once: `${await waitProcessed(ids, 1000)}/3`, note: `killed mid-job (processing, progress ≥ 10 %) ${midJob}/3; local work dirs left behind ${leftover}` }
  })

  await scenario('Redis restarted during processing', 1, async () => {
    const result = await upload(browser, consentId, await testVideo(4), { filename: 'redis-processing.mp4' })
    if (!result.clipId) throw new Error(`upload refused: ${result.status} ${result.error}`)
    await until(async () => (await count(`SELECT count(*) AS n FROM clips WHERE id = $1 AND status = 'processing'`, [result.clipId])) === 1, 60_000, 200)
    const [at] = await q<{ status: string; progress: number }>('SELECT status, progress FROM clips WHERE id = $1', [result.clipId])
    await stopRedis()
    await sleep(3000)
    await startRedis()
    return { once: `${await waitProcessed([result.clipId])}/1`, note: `Redis stopped 3 s with the clip ${at?.status} at ${at?.progress ?? 0} %` }
  })

  await scenario('Redis restarted during an upload', 1, async () => {
    const retriesBefore = retries
    const result = await upload(browser, consentId, await testVideo(4), {
      filename: 'redis-upload.mp4',
      chunks: 3,
      between: async () => {
        await stopRedis()
        await sleep(2000)
        await startRedis()
      },
    })
    if (!result.clipId) return { once: '0/1', note: `upload failed: ${result.status} ${String(result.error).slice(0, 120)}` }
    return { once: `${await waitProcessed([result.clipId])}/1`, note: `fault after the first of 3 chunks; ${retries - retriesBefore} chunk retries` }
  })

  await scenario('PostgreSQL restarted during an upload', 1, async () => {
    const retriesBefore = retries
    const result = await upload(browser, consentId, await testVideo(4), {
      filename: 'pg-upload.mp4',
      chunks: 3,
      between: async () => {
        await pgCtl('-m', 'fast', 'restart', '-o', `-p ${pgPort} -k ${pgDir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', join(pgDir, 'log'))
      },
    })
    if (!result.clipId) return { once: '0/1', note: `upload failed: ${result.status} ${String(result.error).slice(0, 120)}` }
    return { once: `${await waitProcessed([result.clipId])}/1`, note: `fault after the first of 3 chunks; ${retries - retriesBefore} chunk retries` }
  })

  await scenario('signed checkout webhook 5× and out of order', 5, async () => {
    const url = stripe.webhookUrl
    stripe.webhookUrl = undefined
    const { event: completed } = await stripe.pay(session.id)
    stripe.webhookUrl = url
    // An older expiry of the same session, delivered before, among and after the payment.
    const expired = stripe.event('checkout.session.expired', { ...stripe.sessions.get(session.id), status: 'expired', payment_status: 'unpaid' })
    expired.created = completed.created - 60
    const statuses: number[] = []
    const deliver = async (event: any) => {
      const delivery = await stripe.deliver(event)
      statuses.push(delivery.status)
      if (delivery.status >= 500) fiveHundreds += 1
    }
    await deliver(expired)
    await Promise.all([deliver(completed), deliver(completed), deliver(expired)])
    await Promise.all([deliver(completed), deliver(completed), deliver(completed)])
    await deliver(expired)
    const licences = await count(`SELECT count(*) AS n FROM licences l JOIN orders o ON o.id = l.order_id WHERE o.stripe_checkout_session_id = $1`, [session.id])
    const [order] = await q<{ status: string }>('SELECT status FROM orders WHERE stripe_checkout_session_id = $1', [session.id])
    const sales = await count(`SELECT count(DISTINCT group_id) AS n FROM ledger_entries e JOIN orders o ON o.id = e.order_id WHERE o.stripe_checkout_session_id = $1 AND e.kind = 'sale'`, [session.id])
    return { once: 'n/a', licences: `${licences}/1`, note: `order ${order?.status}, ${sales} sale group(s), answers ${statuses.join(' ')}` }
  })

  await scenario('200 hostile uploads', HOSTILE, async () => {
    const valid = await testVideo(3)
    const lying = Buffer.from(await testVideo(6))
    // A duration that lies: the movie header says 2 s of a 6 s stream (version 0 mvhd:
    // size, 'mvhd', version+flags, created, modified, timescale, duration).
    const mvhd = lying.indexOf('mvhd')
    if (mvhd > 0) lying.writeUInt32BE(lying.readUInt32BE(mvhd + 16) * 2, mvhd + 20)
    const audioPath = join(work, 'audio.mp4')
    await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'aac', audioPath])
    const audio = await readFile(audioPath)
    const playlist = `#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:1.0,\nfile://${canaryFile}\n#EXTINF:1.0,\n${canaryUrl}\n#EXT-X-ENDLIST\n`
    // An AVI whose stream data is an HLS playlist (the known ffmpeg file-read / SSRF class).
    const aviHeader = Buffer.from('RIFF\0\0\0\0AVI LIST\x40\0\0\0hdrlavih\x38\0\0\0', 'latin1')
    const hlsAvi = Buffer.concat([aviHeader, Buffer.alloc(56), Buffer.from(`LIST\0\0\0\0movi00dc${playlist}`, 'latin1')])
    const oddNames = ['../../etc/passwd.mp4', 'CON.mp4', 'ünïcødé 🎥 clip.mp4', 'a'.repeat(300) + '.mp4', 'semi;colon "quoted".mp4', 'new\nline.mp4', 'tab\there.mp4', '.mp4', '%00null.mp4', '<script>.mp4']
    const kinds = ['renamed text', 'truncated', '0-byte', 'audio-only', 'HLS-in-AVI', 'lying duration', 'odd name'] as const
    const tally = new Map<string, { accepted: number; refused: number; failed: number }>()
    const accepted: string[] = []
    const items = Array.from({ length: HOSTILE }, (_, index) => index)
    const make = (index: number): { kind: (typeof kinds)[number]; bytes: Buffer; filename: string; filetype: string } => {
      const kind = kinds[index % kinds.length]
      switch (kind) {
        case 'renamed text':
          return { kind, bytes: Buffer.from(`not a video ${index}\n`.repeat(50 + index)), filename: `notes-${index}.mp4`, filetype: 'video/mp4' }
        case 'truncated':
          return { kind, bytes: valid.subarray(0, Math.floor(valid.length * (0.2 + (index % 7) / 10))), filename: `cut-${index}.mp4`, filetype: 'video/mp4' }
        case '0-byte':
          return { kind, bytes: Buffer.alloc(0), filename: `empty-${index}.mp4`, filetype: 'video/mp4' }
        case 'audio-only':
          return { kind, bytes: Buffer.concat([audio, Buffer.from(`${index}`)]), filename: `audio-${index}.mp4`, filetype: 'video/mp4' }
        case 'HLS-in-AVI':
          return { kind, bytes: index % 2 ? hlsAvi : Buffer.from(playlist + `#${index}\n`), filename: `hls-${index}.avi`, filetype: 'video/x-msvideo' }
        case 'lying duration':
          return { kind, bytes: lying, filename: `lying-${index}.mp4`, filetype: 'video/mp4' }
        case 'odd name':
          return { kind, bytes: valid, filename: oddNames[index % oddNames.length], filetype: index % 3 ? 'video/mp4' : 'text/html' }
      }
    }
    // Eight at a time, as a hostile client would.
    let next = 0
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < items.length) {
          const item = make(items[next++])
          const result = await upload(browser, consentId, item.bytes, { filename: item.filename, filetype: item.filetype })
          const entry = tally.get(item.kind) ?? { accepted: 0, refused: 0, failed: 0 }
          if (result.clipId) {
            entry.accepted += 1
            accepted.push(result.clipId)
          } else if (result.status >= 400 && result.status < 500) entry.refused += 1
          else entry.failed += 1
          tally.set(item.kind, entry)
        }
      })
    )
    const once = accepted.length ? await waitProcessed(accepted) : 0
    const contents = await readFile(canaryFile, 'utf8')
    const secret = contents.trim()
    const leaked = await count(`SELECT count(*) AS n FROM clips WHERE title LIKE '%' || $1 || '%'`, [secret]).catch(() => 0)
    const summary = [...tally].map(([kind, entry]) => `${kind} ${entry.accepted} accepted/${entry.refused} refused${entry.failed ? `/${entry.failed} failed` : ''}`).join(', ')
    return { once: `${once}/${accepted.length}`, note: `${summary}; canary URL hit ${canaryHits}×${leaked ? `; canary text in ${leaked} rows` : ''}` }
  })

  printTable()
  console.log(`\ndrill finished in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`)
} catch (error) {
  if (rows.length) printTable()
  console.error('\ndrill aborted:', (error as Error).message)
  console.error(logs.join('').slice(-4000))
  process.exitCode = 1
} finally {
  await db?.end().catch(() => {})
  await cleanUp()
  // Nothing of the drill's is left; keep-alive sockets to the stopped server must not hold the exit.
  process.exit(process.exitCode ?? 0)
}
