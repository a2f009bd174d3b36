/*
 * ZIP export benchmark (not a test): a 1 GB dataset version (8 objects of 128 MiB by default)
 * in an s3rver, streamed as a licence's ZIP by DatasetExportService (the code behind
 * GET /licences/:id/download.zip: storage stream → sha256 + CRC32 check → ZIP writer) into a
 * sink that discards it. Prints throughput and this process's peak RSS against its idle RSS.
 *
 *   node --expose-gc --import @poppinss/ts-exec bench/zip.ts [objects] [objectMiB]
 *
 * Needs no database: the export plan is built in memory. The s3rver runs in a child process
 * (port 4581, a temp dir) so its memory is not counted; everything is removed at the end.
 */
import 'reflect-metadata'
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Ignitor } from '@adonisjs/core'
import { benchEnv } from './bench_env.js'
import { DateTime } from 'luxon'

const OBJECTS = Number(process.argv[2] ?? 8)
const OBJECT_MIB = Number(process.argv[3] ?? 128)
const S3_PORT = 4581
const root = new URL('../', import.meta.url)
const work = await mkdtemp(join(tmpdir(), 'athera-zip-bench-'))

Object.assign(
  process.env,
  benchEnv({
    port: 3451,
    nodeEnv: 'development',
    database: 'athera_bench',
    redisDb: 5,
    s3Port: S3_PORT,
    bucketPrefix: 'zipbench-',
  })
)

const mib = (bytes: number) => bytes / 1024 / 1024
const gc = () => (globalThis as { gc?: () => void }).gc?.()

// s3rver in its own process, on a temp dir.
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
  gc()
  const bootRss = process.memoryUsage().rss
  const { StorageService } = await import('#app/core/storage_service')
  const { DatasetExportService } = await import('#app/datasets/dataset_export_service')
  type Plan = import('#app/datasets/dataset_export_service').ExportPlan
  const storage = await app.container.make(StorageService)
  const exporter = await app.container.make(DatasetExportService)

  // One random 128 MiB file, put OBJECTS times through putFile (a multipart upload driven
  // part by part: s3rver has no ListMultipartUploads for the minio client's own streaming put).
  const source = join(work, 'object.bin')
  const file = createWriteStream(source)
  const hash = createHash('sha256')
  for (let written = 0; written < OBJECT_MIB; written++) {
    const block = randomBytes(1024 * 1024)
    hash.update(block)
    if (!file.write(block))
      await new Promise<void>((resolve) => file.once('drain', () => resolve()))
  }
  await new Promise<void>((resolve) => file.end(() => resolve()))
  const sha256 = hash.digest('hex')
  const bytes = OBJECT_MIB * 1024 * 1024
  const putStarted = performance.now()
  for (let index = 0; index < OBJECTS; index++) {
    await storage.putFile('processed', `bench/${index}/video`, source, 'video/mp4')
  }
  console.log(
    `put ${OBJECTS} × ${OBJECT_MIB} MiB in ${((performance.now() - putStarted) / 1000).toFixed(1)} s`
  )

  const clips = Array.from({ length: OBJECTS }, (_, index) => {
    const id = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`
    return {
      id,
      position: index,
      seconds: 60,
      title: `Bench clip ${index}`,
      sport: 'football',
      activity: 'sprint',
      skill_level: 'advanced',
      camera_angle: 'side',
      duration_ms: 60_000,
      files: [
        {
          kind: 'video' as const,
          bucket: 'processed' as const,
          key: `bench/${index}/video`,
          bytes,
          sha256,
          path: `videos/${id}.mp4`,
        },
      ],
    }
  })
  const plan = {
    licence: { id: 'bench-licence', licenceType: 'research', termsVersion: 1 },
    terms: {
      title: 'Bench licence',
      version: 1,
      sha256: '0'.repeat(64),
      body: '# Bench licence\n',
    },
    version: {
      id: 'bench-version',
      version: 1,
      publishedAt: DateTime.now(),
      manifestSha256: '0'.repeat(64),
      stats: { clips: OBJECTS, duration_ms: OBJECTS * 60_000, people: OBJECTS, keypoint_frames: 0 },
    },
    dataset: {
      title: 'ZIP bench',
      slug: 'zip-bench',
      description: 'Benchmark data.',
      tags: ['bench'],
      sport: 'football',
    },
    instanceName: 'Athera bench',
    clips,
    withdrawn: [],
    consent: {
      clips: OBJECTS,
      self: OBJECTS,
      coached: 0,
      minors: 0,
      textVersions: ['v1'],
      usages: ['research'],
    },
    models: [],
  } as unknown as Plan

  gc()
  await new Promise((resolve) => setTimeout(resolve, 500))
  const idleRss = process.memoryUsage().rss
  let peakRss = idleRss
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }, 20)

  let zipBytes = 0
  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      zipBytes += chunk.length
      callback()
    },
  })
  const started = performance.now()
  await pipeline(exporter.zip(plan), sink)
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  peakRss = Math.max(peakRss, process.memoryUsage().rss)

  console.log(
    `ZIP of ${OBJECTS} × ${OBJECT_MIB} MiB objects: ${mib(zipBytes).toFixed(0)} MiB in ${seconds.toFixed(1)} s`
  )
  console.log(
    `throughput: ${(zipBytes / 1e6 / seconds).toFixed(0)} MB/s (${mib(zipBytes / seconds).toFixed(0)} MiB/s), every object's sha256 checked`
  )
  console.log(
    `RSS: boot ${mib(bootRss).toFixed(0)} MiB, idle ${mib(idleRss).toFixed(0)} MiB, peak ${mib(peakRss).toFixed(0)} MiB`
  )
  console.log(
    `peak − idle: ${mib(peakRss - idleRss).toFixed(0)} MiB (target: under 150 MB); peak − boot: ${mib(peakRss - bootRss).toFixed(0)} MiB`
  )
} finally {
  await app.terminate().catch(() => {})
  s3.kill('SIGTERM')
  await new Promise((resolve) => s3.once('exit', resolve))
  await rm(work, { recursive: true, force: true })
}
