/*
 * Publishing benchmark (not a test): a dataset of clips whose keypoints.json is 3 hours long
 * (324,000 frames at 30 fps, one tracked person: some 400 MB each) published as a version by
 * DatasetService.publish, the code behind the "Publish" button. Prints this process's peak RSS
 * against its idle RSS, twice: clips whose counts the pipeline recorded (migration 0020: the
 * file is not read), and clips processed before it (the file is counted by streaming).
 *
 *   node --expose-gc --import @poppinss/ts-exec bench/publish.ts [clips] [hours]
 *
 * Needs PostgreSQL as for the tests: a database of its own (athera_bench_publish), Redis DB 7,
 * an s3rver in a child process (port 4584, a temp dir; its memory is not counted). Everything is
 * removed at the end.
 */
import 'reflect-metadata'
import { execFile, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { Ignitor } from '@adonisjs/core'
import { benchEnv } from './bench_env.js'

const run = promisify(execFile)
const CLIPS = Number(process.argv[2] ?? 3)
const HOURS = Number(process.argv[3] ?? 3)
const FPS = 30
const S3_PORT = 4584
const DATABASE = 'athera_bench_publish'
const root = new URL('../', import.meta.url)
const work = await mkdtemp(join(tmpdir(), 'athera-publish-bench-'))

Object.assign(
  process.env,
  benchEnv({
    port: 3454,
    nodeEnv: 'development',
    database: DATABASE,
    redisDb: 7,
    s3Port: S3_PORT,
    bucketPrefix: 'publishbench-',
  }),
  { UPLOAD_STAGING_DIR: join(work, 'staging') }
)

const mib = (bytes: number) => bytes / 1024 / 1024
const gc = () => (globalThis as { gc?: () => void }).gc?.()

/** keypoints.json as the pipeline writes it: a header line, one frame per line, the count. */
async function writeKeypoints(path: string, frames: number) {
  const file = createWriteStream(path)
  const hash = createHash('sha256')
  const write = async (text: string) => {
    hash.update(text)
    if (!file.write(text)) await new Promise<void>((resolve) => file.once('drain', () => resolve()))
  }
  // [x, y, score] as the pipeline writes them, with the decimals real coordinates have.
  const points = Array.from({ length: 33 }, (_, index) => [
    600.4 + (index % 7) * 11.5,
    200.7 + index * 9.25,
    0.97,
  ])
  const person = JSON.stringify([
    { trackId: 1, bbox: [540, 180, 220, 480], score: 0.93, keypoints: points, smoothed: points },
  ])
  await write(
    `${JSON.stringify({ schema: 'bench', clipId: 'bench', fps: FPS, width: 1280, height: 720, keypointFormat: 'blazepose-33' }).slice(0, -1)},"frames":[\n`
  )
  for (let index = 0; index < frames; index++) {
    // One frame in ten without anyone: what a real clip looks like between plays.
    const people = index % 10 === 9 ? '[]' : person
    await write(
      `${index ? ',\n' : ''}{"index":${index},"timeMs":${Math.round((index * 1000) / FPS)},"people":${people}}`
    )
  }
  await write(`\n],"frameCount":${frames}}\n`)
  await new Promise<void>((resolve) => file.end(() => resolve()))
  const stats = await stat(path)
  return { sha256: hash.digest('hex'), bytes: stats.size }
}

const s3Script = `
import S3rver from 's3rver'
const server = new S3rver({ address: '127.0.0.1', port: ${S3_PORT}, silent: true, directory: ${JSON.stringify(join(work, 's3'))}, configureBuckets: [] })
await server.run()
process.stdout.write('ready\\n')
process.on('SIGTERM', () => server.close().then(() => process.exit(0)))
`
const s3 = spawn(process.execPath, ['--input-type=module', '-e', s3Script], {
  cwd: root.pathname,
  stdio: ['ignore', 'pipe', 'inherit'],
})
await new Promise<void>((resolve, reject) => {
  s3.stdout!.once('data', () => resolve())
  s3.once('exit', (code) => reject(new Error(`s3rver exited (${code})`)))
})

const admin = new pg.Client({
  host: process.env.DB_HOST,
  port: Number(process.env.DB_PORT),
  user: process.env.DB_USER,
  password: process.env.DB_PASSWORD,
  database: 'postgres',
})
await admin.connect()
await admin.query(`DROP DATABASE IF EXISTS ${DATABASE}`)
await admin.query(`CREATE DATABASE ${DATABASE}`)
await run(process.execPath, ['ace', 'migration:run', '--force'], {
  cwd: root.pathname,
  env: process.env,
  timeout: 300_000,
})

const ignitor = new Ignitor(root, {
  importer: (path) => import(path.startsWith('.') ? new URL(path, root).href : path),
})
const app = ignitor.createApp('console')
app.booting(async () => {
  await import('#start/env')
})

try {
  await app.init()
  await app.boot()
  const { StorageService } = await import('#app/core/storage_service')
  const { DatasetService } = await import('#app/datasets/dataset_service')
  const { datasetErrors } = await import('#app/datasets/errors')
  const { default: ClipAsset } = await import('#models/clip_asset')
  const { default: Clip } = await import('#models/clip')
  const { ClipFactory } = await import('#database/factories/clip_factory')
  const { DatasetFactory } = await import('#database/factories/dataset_factory')
  const { UserFactory } = await import('#database/factories/user_factory')
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const storage = await app.container.make(StorageService)
  await storage.ensureBuckets()

  const frames = Math.round(HOURS * 3600 * FPS)
  const path = join(work, 'keypoints.json')
  const started = performance.now()
  const keypoints = await writeKeypoints(path, frames)
  console.log(
    `keypoints.json: ${HOURS} h, ${frames} frames, ${mib(keypoints.bytes).toFixed(0)} MiB, made in ${((performance.now() - started) / 1000).toFixed(0)} s`
  )
  const small = Buffer.from('bench')
  const smallSha = createHash('sha256').update(small).digest('hex')

  const creator = await UserFactory.merge({ role: 'creator' } as any).create()
  /** A dataset of CLIPS approved clips sharing the one keypoints.json; `recorded`: counts in the row. */
  async function dataset(recorded: boolean) {
    const set = await DatasetFactory.merge({ ownerId: creator.id, sport: 'football' }).create()
    for (let position = 0; position < CLIPS; position++) {
      const clip = await ClipFactory.apply('approved')
        .merge({ userId: creator.id, durationMs: HOURS * 3_600_000, sport: 'football' })
        .create()
      if (recorded) {
        await Clip.query()
          .where('id', clip.id)
          .update({
            keypoint_people: 1,
            keypoint_frames: frames - Math.floor(frames / 10),
            keypoint_frame_count: frames,
            keypoint_fps: FPS,
          })
      }
      await ClipAsset.query().where('clip_id', clip.id).whereNot('kind', 'raw').delete()
      for (const kind of ['video', 'metadata', 'thumbnail', 'preview', 'regions'] as const) {
        const key = `bench/${clip.id}/${kind}`
        await storage.putStream('processed', key, small, small.length, {})
        await ClipAsset.create({
          clipId: clip.id,
          kind,
          bucket: 'processed',
          key,
          bytes: small.length,
          sha256: smallSha,
          contentType: 'application/octet-stream',
        })
      }
      // Each clip its own copy: one object per asset row, as a real instance has.
      const key = `bench/${clip.id}/keypoints.json`
      await storage.putFile('processed', key, path, 'application/json', {
        sha256: keypoints.sha256,
      })
      await ClipAsset.create({
        clipId: clip.id,
        kind: 'keypoints',
        bucket: 'processed',
        key,
        bytes: keypoints.bytes,
        sha256: keypoints.sha256,
        contentType: 'application/json',
      })
      await db.table('dataset_clips').insert({ dataset_id: set.id, clip_id: clip.id, position })
    }
    return set
  }

  const datasets = await app.container.make(DatasetService)
  for (const recorded of [true, false]) {
    const set = await dataset(recorded)
    gc()
    await new Promise((resolve) => setTimeout(resolve, 500))
    const idleRss = process.memoryUsage().rss
    let peakRss = idleRss
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20)
    const publishing = performance.now()
    const result = await datasets.publish(set)
    const seconds = (performance.now() - publishing) / 1000
    clearInterval(sampler)
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
    if (!result.ok) throw new Error(`publishing failed: ${datasetErrors.describe(result)}`)
    const stats = result.value.version.stats
    console.log(
      `${recorded ? 'counts recorded by the pipeline' : 'counted by streaming (clips before 0020)'}: ${CLIPS} clips published in ${seconds.toFixed(1)} s, ` +
        `people ${stats.people}, keypoint frames ${stats.keypoint_frames}; RSS idle ${mib(idleRss).toFixed(0)} MiB, peak ${mib(peakRss).toFixed(0)} MiB, ` +
        `growth ${mib(peakRss - idleRss).toFixed(1)} MiB (target: within +50 MB)`
    )
  }
} finally {
  await app.terminate().catch(() => {})
  s3.kill('SIGTERM')
  await new Promise((resolve) => s3.once('exit', resolve))
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE}`).catch(() => {})
  await admin.end()
  await rm(work, { recursive: true, force: true })
}
