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
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { DRILL_DATABASE } from './bench_env.js'
import { checkoutScenario } from './drill/checkout_scenario.js'
import { closeDb, connectDb, connectStorage } from './drill/checks.js'
import { faultScenarios } from './drill/fault_scenarios.js'
import { hostileScenario } from './drill/hostile_scenario.js'
import { Session } from './drill/http.js'
import { cleanUp, cleanups, run, until } from './drill/processes.js'
import {
  BASE,
  ace,
  canaryFile,
  env,
  logs,
  pgPort,
  redisPort,
  root,
  s3,
  s3Port,
  startApp,
  startPostgres,
  startRedis,
  startWorker,
  stripe,
  webPort,
} from './drill/services.js'
import { printTable, rows } from './drill/table.js'

// ------------------------------------------------------------------ the drill
const startedAt = Date.now()
try {
  console.log(
    `drill: PostgreSQL :${pgPort}, Redis :${redisPort}, s3rver :${s3Port}, fake Stripe ${stripe.url}, app :${webPort}`
  )
  await startPostgres()
  await startRedis()
  await s3.run()
  cleanups.push(() => s3.close().then(() => {}))
  connectStorage()
  const admin = new pg.Client({
    host: '127.0.0.1',
    port: pgPort,
    user: 'postgres',
    database: 'postgres',
  })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${DRILL_DATABASE}`)
  await admin.end()
  await connectDb()
  await writeFile(canaryFile, `canary ${randomBytes(8).toString('hex')}\n`)

  // The checkout scenario's session exists at the fake before its order is seeded.
  const created = await fetch(`${stripe.url}/v1/checkout/sessions`, {
    method: 'POST',
    headers: {
      'authorization': `Bearer ${stripe.secretKey}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      'mode': 'payment',
      'success_url': `${BASE}/checkout/success`,
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'usd',
      'line_items[0][price_data][unit_amount]': '2500',
      'line_items[0][price_data][product_data][name]': 'Drill dataset',
    }),
  })
  const session = await created.json()
  await ace(['migration:run', '--force'])
  await ace(['db:seed', '--files', 'database/seeders/consent_text_seeder.ts'])
  await ace(['db:seed', '--connection', 'bench', '--files', 'bench/seeders/drill_seeder.ts'], {
    DRILL_SESSION_ID: session.id,
  })
  await ace([
    'user:create',
    '--email',
    'drill@athera.test',
    '--name',
    'Drill Creator',
    '--password',
    'drill password 1',
  ])

  // Pages need the front-end build (as bench/catalog.ts does): built once, if missing.
  if (!existsSync(join(root, 'public/assets/.vite/manifest.json')))
    await run('npx', ['vite', 'build'], { cwd: root, env, timeout: 300_000 })
  startApp('web')
  if (!(await until(() => fetch(`${BASE}/healthz`).then((response) => response.ok), 60_000, 300)))
    throw new Error(`the server did not start\n${logs.join('').slice(-3000)}`)
  await startWorker()

  const browser = new Session()
  await browser.page('/login')
  await browser.form('/login', [
    ['email', 'drill@athera.test'],
    ['password', 'drill password 1'],
  ])
  const consentPage = await browser.page('/consent/new')
  const textId = consentPage.match(/name="textId" value="(\d+)"/)![1]
  const consent = await browser.form('/consent', [
    ['textId', textId],
    ['subject', 'self'],
    ['athleteCount', '1'],
    ['scopes[]', 'processing'],
    ['usage', 'research'],
    ['signature', 'Drill Creator'],
    ['agree', 'on'],
  ])
  const consentId = new URL(consent.headers.get('location')!, BASE).searchParams.get('consent')!
  await browser.page(`/upload?consent=${consentId}`)
  console.log(`services up in ${((Date.now() - startedAt) / 1000).toFixed(0)} s; scenarios:`)

  await faultScenarios(browser, consentId)
  await checkoutScenario(session)
  await hostileScenario(browser, consentId)

  printTable()
  console.log(`\ndrill finished in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`)
} catch (error) {
  if (rows.length) printTable()
  console.error('\ndrill aborted:', (error as Error).message)
  console.error(logs.join('').slice(-4000))
  process.exitCode = 1
} finally {
  await closeDb()
  await cleanUp()
  // Nothing of the drill's is left; keep-alive sockets to the stopped server must not hold the exit.
  process.exit(process.exitCode ?? 0)
}
