/**
 * What the drill checks after each scenario, as SQL over its database and listings of its S3:
 * orphaned objects, half-written rows, clips processed exactly once.
 */
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import pg from 'pg'
import { Client as Minio } from 'minio'
import { DRILL_DATABASE } from '../bench_env.js'
import { sleep, until } from './processes.js'
import { BUCKET_PREFIX, env, pgPort, s3Port } from './services.js'

const PROCESS_WAIT_MS = Number(process.env.DRILL_PROCESS_WAIT_MS ?? 120_000)

let db!: pg.Client
let minio!: Minio
/** The drill's S3, once s3rver runs. */
export function connectStorage() {
  minio = new Minio({
    endPoint: '127.0.0.1',
    port: s3Port,
    useSSL: false,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    region: 'us-east-1',
  })
}

export async function closeDb() {
  await db?.end().catch(() => {})
}

export async function connectDb() {
  db = new pg.Client({
    host: '127.0.0.1',
    port: pgPort,
    user: 'postgres',
    database: DRILL_DATABASE,
  })
  db.on('error', () => {})
  await db.connect()
}
export async function q<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
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
export async function count(sql: string, params: unknown[] = []) {
  const rows = await q<{ n: string }>(sql, params)
  return Number(rows[0].n)
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
export async function storageState() {
  const assets = await q<{ bucket: string; key: string; bytes: string }>(
    'SELECT bucket, key, bytes FROM clip_assets'
  )
  const referenced = new Map(
    assets.map((asset) => [`${asset.bucket}/${asset.key}`, Number(asset.bytes)])
  )
  const receiving = await q<{ id: string }>(`SELECT id FROM uploads WHERE status = 'receiving'`)
  const stored = new Map<string, number>()
  for (const bucket of ['raw', 'processed', 'previews'])
    for (const object of await listBucket(bucket))
      stored.set(`${bucket}/${object.key}`, object.size)
  let orphans = 0
  for (const key of stored.keys())
    if (!referenced.has(key) && !receiving.some((upload) => key.includes(upload.id))) orphans += 1
  const staged = existsSync(env.UPLOAD_STAGING_DIR!) ? await readdir(env.UPLOAD_STAGING_DIR!) : []
  orphans += staged.filter((file) => !receiving.some((upload) => file.startsWith(upload.id))).length
  let missing = 0
  for (const [key, bytes] of referenced) if (stored.get(key) !== bytes) missing += 1
  return { orphans, missing }
}

/** Rows a crash or a fault may leave half-written, counted over the whole database. */
export async function halfWritten() {
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
export const total = (found: Record<string, number>) =>
  Object.values(found).reduce((sum, value) => sum + Math.max(0, value), 0)

/** Processed exactly once: processed, one succeeded run, none running, every asset stored with its size. */
export async function processedOnce(clipId: string) {
  const [clip] = await q<{ status: string }>('SELECT status FROM clips WHERE id = $1', [clipId])
  if (clip?.status !== 'processed' && clip?.status !== 'approved') return false
  const runs = await q<{ status: string }>(
    'SELECT status FROM processing_runs WHERE clip_id = $1',
    [clipId]
  )
  if (
    runs.filter((runRow) => runRow.status === 'succeeded').length !== 1 ||
    runs.some((runRow) => runRow.status === 'running')
  )
    return false
  const assets = await q<{ bucket: string; key: string; bytes: string; kind: string }>(
    'SELECT bucket, key, bytes, kind FROM clip_assets WHERE clip_id = $1',
    [clipId]
  )
  if (
    !assets.some((asset) => asset.kind === 'video') ||
    !assets.some((asset) => asset.kind === 'keypoints')
  )
    return false
  for (const asset of assets) {
    const stat = await minio
      .statObject(`${BUCKET_PREFIX}${asset.bucket}`, asset.key)
      .catch(() => null)
    if (!stat || stat.size !== Number(asset.bytes)) return false
  }
  return true
}
export async function waitProcessed(clipIds: string[], timeoutMs = PROCESS_WAIT_MS) {
  await until(
    async () => {
      const rows = await q<{ status: string }>(
        `SELECT status FROM clips WHERE id = ANY($1::uuid[])`,
        [clipIds]
      )
      return (
        rows.length === clipIds.length &&
        rows.every((row) => !['uploaded', 'processing'].includes(row.status))
      )
    },
    timeoutMs,
    1000
  )
  let once = 0
  for (const id of clipIds) if (await processedOnce(id)) once += 1
  return once
}
