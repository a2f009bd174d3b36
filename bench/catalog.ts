/*
 * Catalog benchmark (not a test): seeds 10,000 published datasets into a database of its own,
 * then loads GET /catalog, a full-text search and a filtered page at 50 concurrent connections,
 * and a static page of the same server (/healthz) the same way, printing requests/s, latency
 * percentiles and each page's ratio to the static one.
 *
 *   node --import @poppinss/ts-exec bench/catalog.ts [datasets] [secondsPerUrl]
 *
 * Needs PostgreSQL and Redis as for the tests. It runs its own production-mode server (database
 * athera_bench_catalog, Redis DB 6, an s3rver on port 4583, port 3453), builds the front-end
 * assets first when public/assets is missing (and removes them again), and leaves nothing running.
 * autocannon is not installed: the load loop below is node:http with a keep-alive Agent of 50 sockets.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import S3rver from 's3rver'
import { benchEnv, CATALOG_BENCH_DATABASE } from './bench_env.js'

const run = promisify(execFile)
const DATASETS = Number(process.argv[2] ?? 10_000)
const SECONDS = Number(process.argv[3] ?? 10)
const CONNECTIONS = 50
const PORT = 3453
const BASE = `http://127.0.0.1:${PORT}`
const root = new URL('../', import.meta.url).pathname
const work = await mkdtemp(join(tmpdir(), 'athera-bench-catalog-'))

const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...benchEnv({
    port: PORT,
    nodeEnv: 'production',
    database: CATALOG_BENCH_DATABASE,
    redisDb: 6,
    s3Port: 4583,
  }),
  UPLOAD_STAGING_DIR: join(work, 'staging'),
  CATALOG_BENCH_DATASETS: String(DATASETS),
}

const ace = (...args: string[]) =>
  run(process.execPath, ['ace', ...args], {
    cwd: root,
    env: { ...env, NODE_ENV: 'development' },
    timeout: 300_000,
  })

interface Result {
  requests: number
  errors: number
  seconds: number
  p50: number
  p95: number
  p99: number
  bytes: number
}

/** `CONNECTIONS` loops sending GET `path` back to back for `seconds`, over keep-alive sockets. */
async function load(path: string, seconds: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS })
  const latencies: number[] = []
  let errors = 0
  let bytes = 0
  const until = performance.now() + seconds * 1000
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now()
      const request = http.get(`${BASE}${path}`, { agent }, (response) => {
        response.on('data', (chunk: Buffer) => (bytes += chunk.length))
        response.on('end', () => {
          if (response.statusCode === 200) latencies.push(performance.now() - started)
          else errors++
          resolve()
        })
      })
      request.on('error', () => {
        errors++
        resolve()
      })
    })
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) await one()
    })
  )
  const elapsed = (performance.now() - started) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const at = (share: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))] ?? Number.NaN
  return {
    requests: latencies.length,
    errors,
    seconds: elapsed,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    bytes,
  }
}

let server: ChildProcess | null = null
const builtAssets = !existsSync(join(root, 'public/assets/.vite/manifest.json'))
// The server's S3 secret is random (bench_env.ts): s3rver knows only its own.
const s3 = new S3rver({
  address: '127.0.0.1',
  port: 4583,
  silent: true,
  directory: join(work, 's3'),
  allowMismatchedSignatures: true,
})
try {
  console.log(
    `preparing: database, ${DATASETS.toLocaleString('en')} datasets, s3rver${builtAssets ? ', front-end build' : ''}…`
  )
  const admin = new pg.Client({
    host: env.DB_HOST,
    port: Number(env.DB_PORT),
    user: env.DB_USER,
    password: env.DB_PASSWORD,
    database: 'postgres',
  })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${CATALOG_BENCH_DATABASE}`)
  await admin.query(`CREATE DATABASE ${CATALOG_BENCH_DATABASE}`)
  await admin.end()
  await ace('migration:run', '--force')
  const seeding = performance.now()
  // Named on the bench connection: a plain `db:seed` never runs it (config/database.ts).
  await ace('db:seed', '--connection', 'bench', '--files', 'bench/seeders/catalog_bench_seeder.ts')
  console.log(
    `seeded ${DATASETS.toLocaleString('en')} published datasets in ${((performance.now() - seeding) / 1000).toFixed(1)} s`
  )
  await s3.run()
  if (builtAssets) await run('npx', ['vite', 'build'], { cwd: root, env, timeout: 300_000 })

  // BENCH_CPU_PROF=<dir> writes the server's CPU profile there (to find where the time goes).
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : []
  server = spawn(process.execPath, [...profile, '--import', '@poppinss/ts-exec', 'bin/server.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  for (let attempt = 0; ; attempt++) {
    if (
      await fetch(`${BASE}/healthz`).then(
        (r) => r.ok,
        () => false
      )
    )
      break
    if (attempt > 150) throw new Error('the server did not start')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }

  const urls: [string, string][] = [
    ['static page', '/healthz'],
    ['catalog', '/catalog'],
    ['search', '/catalog?q=sprint+start'],
    ['filters', '/catalog?sport=tennis&licence=research&clips_min=10&sort=price_asc'],
    ['page 3 (keyset)', ''],
  ]
  // The third page of the catalog: follow two "Next page" links, as a visitor would.
  let next = '/catalog'
  for (let page = 0; page < 2; page++) {
    const nextPage = await fetch(BASE + next)
    const html = await nextPage.text()
    next = html.match(/href="([^"]+)"[^>]*data-next-page/)![1].replaceAll('&amp;', '&')
  }
  urls[4][1] = next
  for (const [, path] of urls) {
    const response = await fetch(BASE + path)
    if (response.status !== 200) throw new Error(`${path}: ${response.status}`)
    const html = await response.text()
    if (path.startsWith('/catalog') && !html.includes('data-dataset-card'))
      throw new Error(`${path} shows no dataset`)
  }
  // Warm up: templates compiled, pools open, JIT settled.
  for (const [, path] of urls) await load(path, 2)

  const results: [string, string, Result][] = []
  for (const [name, path] of urls) results.push([name, path, await load(path, SECONDS)])
  const staticRate = results[0][2].requests / results[0][2].seconds

  console.log('')
  console.log(
    `${CONNECTIONS} connections, ${SECONDS} s per URL, ${DATASETS.toLocaleString('en')} published datasets, 24 cards per page`
  )
  console.log('page               req/s     p50 ms   p95 ms   p99 ms   errors   KB/resp  vs static')
  for (const [name, , result] of results) {
    const rate = result.requests / result.seconds
    console.log(
      `${name.padEnd(17)} ${rate.toFixed(0).padStart(6)}   ${result.p50.toFixed(1).padStart(6)}   ${result.p95.toFixed(1).padStart(6)}   ${result.p99.toFixed(1).padStart(6)}   ${String(result.errors).padStart(6)}   ${(result.bytes / Math.max(1, result.requests) / 1024).toFixed(1).padStart(7)}   ${(rate / staticRate).toFixed(3).padStart(8)}`
    )
  }
  for (const [name, path] of urls.slice(1)) console.log(`  ${name}: ${path}`)
  const worst = Math.max(...results.slice(1).map(([, , result]) => result.p95))
  console.log(
    `target p95 < 100 ms for the catalog pages: ${worst < 100 ? 'met' : 'NOT met'} (worst ${worst.toFixed(1)} ms)`
  )
} finally {
  if (server) {
    const exited = new Promise((resolve) => server!.once('exit', resolve))
    server.kill('SIGTERM')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))])
  }
  await s3.close().catch(() => {})
  if (builtAssets) await rm(join(root, 'public/assets'), { recursive: true, force: true })
  await rm(work, { recursive: true, force: true })
}
