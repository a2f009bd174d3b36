import { createHash, randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import DatasetVersion from '#models/dataset_version'
import Licence from '#models/licence'
import type User from '#models/user'
import { StorageService } from '#app/core/storage_service'
import { manifestClip } from '#app/datasets/dataset_service'
import { ClipFactory } from '#database/factories/clip_factory'
import { DatasetFactory } from '#database/factories/dataset_factory'
import { licenceTerms } from '#tests/helpers/licence_texts'

const run = promisify(execFile)

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

const KINDS = [
  {
    kind: 'video',
    bucket: 'processed',
    path: (id: string) => `videos/${id}.mp4`,
    contentType: 'video/mp4',
  },
  {
    kind: 'keypoints',
    bucket: 'processed',
    path: (id: string) => `keypoints/${id}.json`,
    contentType: 'application/json',
  },
  {
    kind: 'metadata',
    bucket: 'processed',
    path: (id: string) => `metadata/${id}.json`,
    contentType: 'application/json',
  },
  {
    kind: 'thumbnail',
    bucket: 'previews',
    path: (id: string) => `thumbnails/${id}.jpg`,
    contentType: 'image/jpeg',
  },
] as const

export interface PublishedVersion {
  version: DatasetVersion
  clips: Clip[]
  /** Archive path → the bytes stored for it. */
  contents: Map<string, Buffer>
  /** Archive path → bucket and key of its object. */
  objects: Map<string, { bucket: 'processed' | 'previews'; key: string }>
  rawKeys: string[]
}

/**
 * A published dataset version as CATALOG's publish leaves it: approved clips of one creator,
 * their assets stored (raw original included, which must never be delivered), a format 1
 * manifest with every file's size and sha256, and the version's clip rows.
 * `store: false` writes the rows only (for route tables, where nothing is downloaded).
 */
export async function publishedVersion(
  options: {
    clips?: number
    creator?: User
    videoBytes?: number
    store?: boolean
    priceCents?: number
  } = {}
) {
  const storage = await app.container.make(StorageService)
  const store = options.store ?? true
  const dataset = await DatasetFactory.apply('published')
    .merge({
      ...(options.creator ? { ownerId: options.creator.id } : {}),
      ...(options.priceCents === undefined ? {} : { priceCents: options.priceCents }),
    })
    .create()
  const clips: Clip[] = []
  const contents = new Map<string, Buffer>()
  const objects = new Map<string, { bucket: 'processed' | 'previews'; key: string }>()
  const rawKeys: string[] = []
  const manifestClips = []
  for (let position = 0; position < (options.clips ?? 2); position++) {
    const clip = await ClipFactory.apply('approved')
      .merge({ userId: dataset.ownerId, title: `Drill ${position + 1}` })
      .create()
    clips.push(clip)
    const files = []
    const raw = randomBytes(2048)
    const rawKey = `clips/${clip.id}/original`
    rawKeys.push(rawKey)
    if (store) await storage.putStream('raw', rawKey, raw, raw.length)
    await ClipAsset.create({
      clipId: clip.id,
      kind: 'raw',
      bucket: 'raw',
      key: rawKey,
      bytes: raw.length,
      sha256: sha256(raw),
      contentType: 'video/mp4',
    })
    for (const spec of KINDS) {
      const data =
        spec.kind === 'video'
          ? randomBytes(options.videoBytes ?? 200_000)
          : spec.kind === 'thumbnail'
            ? randomBytes(5_000)
            : Buffer.from(
                JSON.stringify({
                  clipId: clip.id,
                  kind: spec.kind,
                  frames: Array.from({ length: 300 }, (_, i) => [i, i / 3]),
                })
              )
      const key = `clips/${clip.id}/${spec.kind}`
      if (store)
        await storage.putStream(spec.bucket, key, data, data.length, {
          'Content-Type': spec.contentType,
        })
      await ClipAsset.create({
        clipId: clip.id,
        kind: spec.kind,
        bucket: spec.bucket,
        key,
        bytes: data.length,
        sha256: sha256(data),
        contentType: spec.contentType,
      })
      const path = spec.path(clip.id)
      contents.set(path, data)
      objects.set(path, { bucket: spec.bucket, key })
      files.push({
        kind: spec.kind,
        bucket: spec.bucket,
        key,
        bytes: data.length,
        sha256: sha256(data),
        path,
      })
    }
    manifestClips.push(manifestClip(clip, position, clip.durationMs ?? 0, files))
  }
  const manifest = { format: 1, clips: manifestClips }
  const version = await DatasetVersion.create({
    datasetId: dataset.id,
    version: 1,
    manifest,
    manifestSha256: sha256(JSON.stringify(manifest)),
    stats: {
      clips: clips.length,
      duration_ms: manifestClips.reduce((sum, clip) => sum + clip.duration_ms, 0),
      people: clips.length,
      keypoint_frames: 300 * clips.length,
    },
    priceCents: dataset.priceCents,
    currency: dataset.currency,
    licenceType: dataset.licenceType,
  })
  for (const clip of manifestClips) {
    await db.insertQuery().table('dataset_version_clips').insert({
      dataset_version_id: version.id,
      clip_id: clip.id,
      position: clip.position,
      seconds: clip.seconds,
    })
  }
  return { version, clips, contents, objects, rawKeys } satisfies PublishedVersion
}

/**
 * A licence written directly (issuing is LicenceIssuer's, tested with the money code),
 * citing the current licence text of the version's type.
 */
export async function licenceFor(
  buyer: User,
  version: DatasetVersion,
  fields: Partial<Licence> = {}
) {
  return Licence.create({
    buyerId: buyer.id,
    datasetVersionId: version.id,
    source: 'free',
    licenceType: version.licenceType,
    ...(await licenceTerms(version.licenceType)),
    ...fields,
  })
}

/** What a withdrawal leaves: the clip `withdrawn` and its stored objects purged. */
export async function withdraw(clip: Clip, published: PublishedVersion) {
  const storage = await app.container.make(StorageService)
  await db
    .from('clips')
    .where('id', clip.id)
    .update({ status: 'withdrawn', withdrawn_at: DateTime.now().toSQL() })
  for (const [path, object] of published.objects) {
    if (path.includes(clip.id)) await storage.remove(object.bucket, object.key)
  }
}

/** Unzips an archive with the system's unzip into a fresh folder; returns the folder and its files. */
export async function unzip(archive: Buffer) {
  const dir = await mkdtemp(join(tmpdir(), 'athera-export-'))
  const path = join(dir, 'archive.zip')
  await writeFile(path, archive)
  const out = join(dir, 'out')
  await run('unzip', ['-q', path, '-d', out], { timeout: 60_000 })
  const files = new Map<string, Buffer>()
  async function walk(folder: string) {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name)
      if (entry.isDirectory()) await walk(full)
      else files.set(relative(out, full), await readFile(full))
    }
  }
  await walk(out)
  return { dir, out, files }
}

/** `sha256sum -c SHA256SUMS` in an unzipped export; throws when a line fails. */
export async function checkSums(folder: string) {
  const { stdout } = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder, timeout: 60_000 })
  return stdout
}
