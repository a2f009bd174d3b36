import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import env from '#start/env'
import { freePort } from '#tests/helpers/app_server'
import { onMaintenanceDatabase, postgresSettings } from '#tests/helpers/database'

/**
 * A development instance made the way the README's two commands make one: `node ace setup`
 * in a folder of its own (ENV_PATH), then `node ace serve --hmr` (what `npm run dev` runs),
 * both as child processes with nothing of the test settings but what is named here. Its
 * database is the test database's name plus `_devserver`; it shares the test Redis database,
 * emptied before and after, so no job of either side reaches the other's worker.
 */
export interface DevInstance {
  url: string
  /** A Lucid connection name for the instance's database. */
  connection: string
  output: () => string
  stop: () => Promise<void>
}

const CONNECTION = 'devServer'

/** Runs a command to its end; rejects with its output when it fails. */
function run(args: string[], childEnv: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: app.appRoot,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(output)
      else reject(new Error(`node ${args.join(' ')} exited with ${code}:\n${output}`))
    })
  })
}

/**
 * Ends the dev server and the app process it started, as Ctrl-C in a terminal does: SIGINT to
 * their process group. Whatever is left after 10 s is killed.
 */
async function stopGroup(child: ChildProcess) {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name)
    } catch {
      // The group is gone already.
    }
  }
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    signal('SIGINT')
    const killer = setTimeout(() => signal('SIGKILL'), 10_000)
    await exited
    clearTimeout(killer)
  }
  // The app process may outlive the dev server by a moment.
  signal('SIGKILL')
}

async function dropDatabase(name: string) {
  await onMaintenanceDatabase((client) =>
    client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  )
}

export async function startDevInstance(): Promise<DevInstance> {
  const database = `${env.get('DB_DATABASE')}_devserver`
  const folder = await mkdtemp(join(tmpdir(), 'athera-dev-'))
  const port = await freePort()
  // Its own buckets in tmp/s3, removed at the end: a developer's dev instance keeps its own.
  const bucketPrefix = `athera-devtest-${randomUUID().slice(0, 8)}-`
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ENV_PATH: folder,
    PORT: String(port),
    APP_URL: `http://127.0.0.1:${port}`,
    S3_PORT: String(await freePort()),
    S3_BUCKET_PREFIX: bucketPrefix,
    VITE_HMR_PORT: String(await freePort()),
    REDIS_DB: String(env.get('REDIS_DB') ?? 0),
    FORCE_COLOR: '0',
  }
  await dropDatabase(database)
  await redis.flushdb()

  let output = await run(['ace.js', 'setup', '--database', database], childEnv, 120_000).catch(
    async (error) => {
      await dropDatabase(database)
      await rm(folder, { recursive: true, force: true })
      throw error
    }
  )
  const server = spawn(process.execPath, ['ace.js', 'serve', '--hmr'], {
    cwd: app.appRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  server.stdout!.on('data', (chunk) => (output += chunk))
  server.stderr!.on('data', (chunk) => (output += chunk))

  db.manager.add(CONNECTION, {
    client: 'pg',
    connection: postgresSettings(database),
    pool: { min: 0, max: 2 },
  })

  const stop = async () => {
    await stopGroup(server)
    await db.manager.close(CONNECTION, true)
    await dropDatabase(database)
    await redis.flushdb()
    const s3 = app.tmpPath('s3')
    const buckets = await readdir(s3).catch(() => [])
    for (const bucket of buckets.filter((name) => name.startsWith(bucketPrefix))) {
      await rm(join(s3, bucket), { recursive: true, force: true })
    }
    await rm(folder, { recursive: true, force: true })
  }

  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 90_000
  while (true) {
    // /readyz answers 200 once PostgreSQL, Redis, the embedded S3 server and ffmpeg do.
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false
    )
    if (ready) break
    if (server.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`npm run dev did not become ready:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  return { url, connection: CONNECTION, output: () => output, stop }
}
