/*
 * Upload benchmark (not a test): uploads a 1 GB generated video over loopback through the
 * same tus endpoints the page uses, and prints throughput and the server's memory.
 *
 *   node --import @poppinss/ts-exec bench/upload.ts [sizeMiB]
 *
 * Needs PostgreSQL and Redis as for the tests, and ffmpeg. It runs its own server process
 * (database athera_bench, Redis DB 5, an s3rver on port 4580) and leaves nothing running.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import S3rver from 's3rver'
import { benchEnv } from './bench_env.js'
import { BrowserSession } from './session.js'

const run = promisify(execFile)
const sizeMiB = Number(process.argv[2] ?? 1024)
const PORT = 3450
const BASE = `http://127.0.0.1:${PORT}`
const CHUNK = 8 * 1024 * 1024
const root = new URL('../', import.meta.url).pathname
const work = await mkdtemp(join(tmpdir(), 'athera-bench-'))

const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...benchEnv({
    port: PORT,
    nodeEnv: 'development',
    database: 'athera_bench',
    redisDb: 5,
    s3Port: 4580,
  }),
  UPLOAD_STAGING_DIR: join(work, 'staging'),
}

const ace = (...args: string[]) =>
  run(process.execPath, ['ace', ...args], { cwd: root, env, timeout: 120_000 })

function rssMiB(pid: number) {
  return readFile(`/proc/${pid}/status`, 'utf8').then((status) => {
    const kib = Number(status.match(/VmRSS:\s+(\d+)/)![1])
    return kib / 1024
  })
}

let server: ChildProcess | null = null
const s3 = new S3rver({
  address: '127.0.0.1',
  port: 4580,
  silent: true,
  directory: join(work, 's3'),
})
try {
  console.log(`preparing: database, s3rver, a ${sizeMiB} MiB video…`)
  const admin = new pg.Client({
    host: env.DB_HOST,
    port: Number(env.DB_PORT),
    user: env.DB_USER,
    password: env.DB_PASSWORD,
    database: 'postgres',
  })
  await admin.connect()
  await admin.query('DROP DATABASE IF EXISTS athera_bench')
  await admin.query('CREATE DATABASE athera_bench')
  await admin.end()
  await ace('migration:run', '--force')
  await ace('db:seed', '--files', 'database/seeders/consent_text_seeder.ts')
  await ace(
    'user:create',
    '--email',
    'bench@athera.test',
    '--name',
    'Bench Creator',
    '--password',
    'bench password 1'
  )
  await s3.run()

  // Raw 1080p frames in Matroska: a valid video of the wanted size without encoding time.
  const frames = Math.ceil((sizeMiB * 1024 * 1024) / (1920 * 1080 * 1.5))
  const video = join(work, 'big.mkv')
  await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1920x1080:rate=25',
      '-frames:v',
      String(frames),
      '-c:v',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      video,
    ],
    { timeout: 600_000 }
  )
  const { size } = await stat(video)

  server = spawn(process.execPath, ['--import', '@poppinss/ts-exec', 'bin/server.ts'], {
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

  const session = new BrowserSession(BASE)
  await session.page('/login')
  await session.form('/login', [
    ['email', 'bench@athera.test'],
    ['password', 'bench password 1'],
  ])
  const consentPage = await session.page('/consent/new')
  const textId = consentPage.match(/name="textId" value="(\d+)"/)![1]
  const consent = await session.form('/consent', [
    ['textId', textId],
    ['subject', 'self'],
    ['athleteCount', '1'],
    ['scopes[]', 'processing'],
    ['usage', 'research'],
    ['signature', 'Bench Creator'],
    ['agree', 'on'],
  ])
  const consentId = new URL(consent.headers.get('location')!, BASE).searchParams.get('consent')!
  await session.page(`/upload?consent=${consentId}`)
  // Settle after the first page renders (templates compiled, pools open), then measure idle.
  await new Promise((resolve) => setTimeout(resolve, 2000))
  const idle = await rssMiB(server.pid!)

  let peak = idle
  const sampler = setInterval(
    () =>
      rssMiB(server!.pid!).then(
        (value) => (peak = Math.max(peak, value)),
        () => {}
      ),
    100
  )
  const meta = (values: Record<string, string>) =>
    Object.entries(values)
      .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
      .join(',')
  const tusHeaders = { 'Tus-Resumable': '1.0.0', 'X-CSRF-TOKEN': session.csrf }
  const started = performance.now()
  const created = await session.fetch('/uploads', {
    method: 'POST',
    headers: {
      ...tusHeaders,
      'Upload-Length': String(size),
      'Upload-Metadata': meta({
        consentId,
        filename: 'big.mkv',
        filetype: 'video/x-matroska',
        title: 'Benchmark',
        sport: 'football',
      }),
    },
  })
  if (created.status !== 201) throw new Error(`create: ${created.status} ${await created.text()}`)
  const location = created.headers.get('location')!

  const file = await open(video, 'r')
  const buffer = Buffer.alloc(CHUNK)
  let offset = 0
  let lastPatchMs = 0
  let clipId: string | null = null
  while (offset < size) {
    const { bytesRead } = await file.read(buffer, 0, CHUNK, offset)
    const patchStarted = performance.now()
    const response = await session.fetch(location, {
      method: 'PATCH',
      headers: {
        ...tusHeaders,
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': String(offset),
      },
      body: buffer.subarray(0, bytesRead),
    })
    if (response.status !== 204)
      throw new Error(`patch at ${offset}: ${response.status} ${await response.text()}`)
    lastPatchMs = performance.now() - patchStarted
    offset = Number(response.headers.get('upload-offset'))
    clipId = response.headers.get('athera-clip-id') ?? clipId
  }
  await file.close()
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  peak = Math.max(peak, await rssMiB(server.pid!))

  console.log('')
  console.log(
    `file                 ${(size / 1024 / 1024).toFixed(0)} MiB (raw 1080p Matroska), chunks of ${CHUNK / 1024 / 1024} MiB`
  )
  console.log(`clip                 ${clipId}`)
  console.log(
    `total                ${seconds.toFixed(1)} s, ${(size / 1024 / 1024 / seconds).toFixed(0)} MiB/s end to end`
  )
  console.log(
    `  of which checks + store to S3 after the last byte: ${(lastPatchMs / 1000).toFixed(1)} s`
  )
  console.log(`server RSS idle      ${idle.toFixed(0)} MiB`)
  console.log(
    `server RSS peak      ${peak.toFixed(0)} MiB (+${(peak - idle).toFixed(0)} MiB over idle; limit +200)`
  )
  process.exitCode = peak - idle <= 200 ? 0 : 1
} finally {
  server?.kill('SIGTERM')
  await s3.close().catch(() => {})
  await rm(work, { recursive: true, force: true })
}
