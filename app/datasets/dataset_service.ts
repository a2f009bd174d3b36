import { createHash, randomBytes } from 'node:crypto'
import { StringDecoder } from 'node:string_decoder'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import Clip from '#models/clip'
import Dataset, { type LicenceType } from '#models/dataset'
import DatasetVersion, { type DatasetVersionStats } from '#models/dataset_version'
import type User from '#models/user'
import { SettingsStore } from '#app/core/settings_store'
import { StorageService, type BucketName } from '#app/core/storage_service'
import { parseTags, type DatasetFormMeta } from '#app/datasets/validators'
import { AuditTrail } from '#app/core/audit_trail'
import { eligibilityOf, isIneligibleClipError, type Eligibility } from '#app/datasets/clip_eligibility'

/** The files of a clip a buyer receives, and where each goes in a download. Never `raw`. */
export const MANIFEST_FILES = {
  video: (clipId: string) => `videos/${clipId}.mp4`,
  keypoints: (clipId: string) => `keypoints/${clipId}.json`,
  metadata: (clipId: string) => `metadata/${clipId}.json`,
  thumbnail: (clipId: string) => `thumbnails/${clipId}.jpg`,
} as const
export type ManifestFileKind = keyof typeof MANIFEST_FILES
const MANIFEST_KINDS = Object.keys(MANIFEST_FILES) as ManifestFileKind[]

export interface ManifestFile {
  kind: ManifestFileKind
  bucket: BucketName
  key: string
  bytes: number
  sha256: string
  path: string
}

export interface ManifestClip {
  id: string
  position: number
  seconds: number
  title: string
  sport: string
  activity: string | null
  skill_level: string | null
  camera_angle: string | null
  duration_ms: number
  files: ManifestFile[]
}

/** `dataset_versions.manifest` (format 1): what DOWNLOADS serves for a licence. */
export interface DatasetManifest {
  format: 1
  clips: ManifestClip[]
}

export interface DatasetInput {
  title: string
  description?: string
  sport?: string
  tags?: string
  licenceType: LicenceType
  price: number
}

export type DatasetResult<T> = { ok: true; value: T } | { ok: false; message: string }

/**
 * The manifest with its keys in PostgreSQL's jsonb order (shorter keys first, then bytewise),
 * so `JSON.stringify` gives the same text before storage and after reading it back: the
 * `manifest_sha256` of a stored version can always be checked against its manifest.
 */
export function canonicalJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => canonicalJson(item)) as T
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)))
    return Object.fromEntries(keys.map((key) => [key, canonicalJson((value as Record<string, unknown>)[key])])) as T
  }
  return value
}

/** The longest line a keypoints.json frame may take when counted by streaming (no frame comes near). */
const MAX_KEYPOINTS_LINE = 16 * 1024 * 1024

/**
 * Counts a keypoints.json as the pipeline writes it (a header line, then one frame per line, then
 * the frame count) without holding it: for clips processed before their counts were recorded in
 * the database (migration 0020). A file of another layout is refused rather than loaded whole.
 */
export async function countKeypointsStream(source: AsyncIterable<Buffer | string>) {
  const tracks = new Set<number>()
  let keypointFrames = 0
  let frames = 0
  let fps = 0
  let frameCount: number | null = null
  let header = true
  let pending = ''
  const line = (text: string) => {
    // A frame's separating comma ends the line before the next frame.
    const trimmed = text.trim().replace(/^,|,$/g, '')
    if (!trimmed) return
    if (header) {
      header = false
      if (!trimmed.endsWith('"frames":[')) {
        // A whole document on one line (short enough to get here: a hand-made or older file).
        const whole = JSON.parse(trimmed) as { fps?: number; frameCount?: number; frames?: { people?: { trackId?: number }[] }[] }
        fps = Number(whole.fps ?? 0)
        frameCount = Number(whole.frameCount ?? whole.frames?.length ?? 0)
        for (const frame of whole.frames ?? []) count(frame)
        return
      }
      fps = Number(/"fps":\s*([0-9.]+)/.exec(trimmed)?.[1] ?? 0)
      return
    }
    if (trimmed.startsWith(']')) {
      const match = /"frameCount":\s*([0-9]+)/.exec(trimmed)
      if (match) frameCount = Number(match[1])
      return
    }
    // A frame line as the pipeline writes it is read for its track ids only: parsing each of a
    // 3 h clip's 324,000 frames took most of a minute.
    frames++
    if (/"people":\s*\[\s*\]/.test(trimmed)) return
    if (!trimmed.includes('"people"')) throw new Error('keypoints.json has a frame line without people')
    keypointFrames++
    for (const match of trimmed.matchAll(/"trackId":\s*(-?\d+)/g)) tracks.add(Number(match[1]))
  }
  const count = (frame: { people?: { trackId?: number }[] }) => {
    frames++
    if (!frame.people?.length) return
    keypointFrames++
    for (const person of frame.people) if (typeof person.trackId === 'number') tracks.add(person.trackId)
  }
  // A chunk may end inside a multi-byte character: the decoder keeps it for the next one.
  const decoder = new StringDecoder('utf8')
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk)
    let end = pending.indexOf('\n')
    while (end !== -1) {
      line(pending.slice(0, end))
      pending = pending.slice(end + 1)
      end = pending.indexOf('\n')
    }
    if (pending.length > MAX_KEYPOINTS_LINE) throw new Error('keypoints.json has a line too long to count by streaming')
  }
  line(pending + decoder.end())
  return { people: tracks.size, keypointFrames, frameCount: frameCount ?? frames, fps }
}

/**
 * Datasets as creators and admins put them together: details, the clip selection, and
 * publication of immutable versions (clip list, manifest with every file's sha256 and size,
 * stats). The catalog columns of `datasets` are refreshed in the same transaction.
 */
@inject()
export class DatasetService {
  constructor(
    protected settings: SettingsStore,
    protected storage: StorageService
  ) {}

  /** Validation metadata: the instance's sports, price bounds and currency. */
  async formMeta(user: User): Promise<DatasetFormMeta> {
    const settings = await this.settings.all()
    return {
      sports: settings.sports,
      priceMinCents: settings.price_min_cents,
      priceMaxCents: settings.price_max_cents,
      currency: settings.currency,
      sportRequired: user.role !== 'admin',
    }
  }

  /** A creator's datasets; an admin sees every dataset (they curate and moderate). */
  async listFor(user: User) {
    const query = Dataset.query().preload('owner').orderBy('updated_at', 'desc').orderBy('id', 'desc')
    if (user.role !== 'admin') query.where('owner_id', user.id)
    const datasets = await query
    const counts = await db
      .from('dataset_clips')
      .whereIn('dataset_id', datasets.map((dataset) => dataset.id))
      .groupBy('dataset_id')
      .select('dataset_id')
      .count('* as total')
    const selected = new Map(counts.map((row) => [row.dataset_id as string, Number(row.total)]))
    return datasets.map((dataset) => ({ dataset, selectedClips: selected.get(dataset.id) ?? 0 }))
  }

  find(id: string) {
    return Dataset.findOrFail(id)
  }

  async create(user: User, input: DatasetInput) {
    const currency = await this.settings.get('currency')
    const dataset = await Dataset.create({
      ownerId: user.id,
      ...this.#fields(input),
      slug: this.#slug(input.title),
      currency,
      status: 'draft',
      curated: user.role === 'admin',
    })
    logger.info({ datasetId: dataset.id, userId: user.id }, 'dataset created')
    return dataset
  }

  /**
   * Details of a dataset. Title, description and tags show in the catalog at once; price and
   * licence type are frozen per version, so for a published dataset they apply at the next
   * publication. A switch of licence type that picked clips' consent does not cover is
   * refused, naming each clip that blocks it.
   */
  async update(dataset: Dataset, input: DatasetInput): Promise<DatasetResult<Dataset>> {
    if (input.licenceType !== dataset.licenceType) {
      const selection = await this.#selection(dataset)
      const eligibility = await eligibilityOf(selection, input.licenceType)
      const blocking = selection.map((clip) => eligibility.get(clip.id)!).filter((item): item is Eligibility & { reason: string } => item.reason !== null)
      if (blocking.length) {
        return {
          ok: false,
          message: `This dataset cannot become ${input.licenceType}: ${blocking.length} picked clip${blocking.length === 1 ? ' blocks' : 's block'} it. ${blocking.map((item) => item.reason).join(' ')} Remove ${blocking.length === 1 ? 'it' : 'them'} from the selection first.`,
        }
      }
    }
    dataset.merge({ ...this.#fields(input), currency: await this.settings.get('currency') })
    await dataset.save()
    return { ok: true, value: dataset }
  }

  /**
   * Takes a published dataset off the catalog: no new sale or claim of any of its versions;
   * licences already issued, and their downloads, are unaffected. Publishing again relists it.
   */
  async unpublish(dataset: Dataset, actor: User, ip: string | null): Promise<DatasetResult<Dataset>> {
    return db.transaction(async (trx) => {
      const locked = await Dataset.query({ client: trx }).where('id', dataset.id).forUpdate().firstOrFail()
      if (locked.status !== 'published') return { ok: false as const, message: 'This dataset is not published, so there is nothing to unpublish.' }
      locked.status = 'archived'
      await locked.save()
      await new AuditTrail().record(
        {
          actorId: actor.id,
          action: 'dataset.unpublished',
          subject: { type: 'dataset', id: locked.id },
          meta: { title: locked.title, latestVersionId: locked.latestVersionId },
          ip,
        },
        trx
      )
      logger.info({ datasetId: locked.id, userId: actor.id }, 'dataset unpublished')
      return { ok: true as const, value: locked }
    })
  }

  #fields(input: DatasetInput) {
    return {
      title: input.title,
      description: input.description ?? '',
      sport: input.sport || null,
      tags: parseTags(input.tags),
      licenceType: input.licenceType,
      priceCents: Math.round(input.price * 100),
    }
  }

  #slug(title: string) {
    const base = title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 200)
    return `${base || 'dataset'}-${randomBytes(4).toString('hex')}`
  }

  /** The clips picked for a dataset's next version, in their order. */
  #selection(dataset: Dataset) {
    return Clip.query()
      .join('dataset_clips', 'dataset_clips.clip_id', 'clips.id')
      .where('dataset_clips.dataset_id', dataset.id)
      .orderBy('dataset_clips.position')
      .select('clips.*')
  }

  /**
   * Everything the editor shows: details, the current selection, the clips that could be
   * added (greyed with the reason where their consent or status keeps them out of this
   * dataset's licence type), versions.
   */
  async editor(dataset: Dataset, user: User) {
    const selection = await this.#selection(dataset).preload('user')
    const selectedIds = new Set(selection.map((clip) => clip.id))
    // A creator picks from their own approved clips; an admin curates from every creator's.
    const approved = Clip.query()
      .where('status', 'approved')
      .preload('user')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(500)
    if (user.role !== 'admin') approved.where('user_id', dataset.ownerId)
    const candidates = (await approved).filter((clip) => !selectedIds.has(clip.id))
    const eligibility = await eligibilityOf([...selection, ...candidates], dataset.licenceType)
    const versions = await DatasetVersion.query().where('dataset_id', dataset.id).orderBy('version', 'desc')
    return {
      dataset,
      selection: selection.map((clip) => ({ clip, problem: eligibility.get(clip.id)!.reason })),
      available: candidates.map((clip) => ({ clip, problem: eligibility.get(clip.id)!.reason })),
      versions,
      meta: await this.formMeta(user),
    }
  }

  /**
   * Replaces the clip selection. Every clip must be eligible for the dataset's licence type
   * (approved, and consented to licensing of that type) and, unless an admin curates, belong
   * to the dataset's owner: otherwise nothing changes and the message says which clip.
   * Clips already selected keep their order; new ones follow in the order given.
   */
  async setClips(dataset: Dataset, user: User, clipIds: string[]): Promise<DatasetResult<{ count: number }>> {
    const wanted = [...new Set(clipIds)]
    return db.transaction(async (trx) => {
      const clips = wanted.length ? await Clip.query({ client: trx }).whereIn('id', wanted).forShare() : []
      const byId = new Map(clips.map((clip) => [clip.id, clip]))
      const eligibility = await eligibilityOf(clips, dataset.licenceType, trx)
      for (const id of wanted) {
        const clip = byId.get(id)
        if (!clip) return { ok: false as const, message: 'One of the picked clips does not exist any more. Reload the page and pick again.' }
        if (user.role !== 'admin' && clip.userId !== dataset.ownerId) {
          return { ok: false as const, message: `“${clip.title}” belongs to another creator: only admins curate datasets from several creators.` }
        }
        const reason = eligibility.get(clip.id)!.reason
        if (reason) return { ok: false as const, message: reason }
      }
      const current: { clip_id: string }[] = await trx
        .from('dataset_clips')
        .where('dataset_id', dataset.id)
        .orderBy('position')
        .select('clip_id')
      const kept = current.map((row) => row.clip_id).filter((id) => wanted.includes(id))
      const ordered = [...kept, ...wanted.filter((id) => !kept.includes(id))]
      await trx.from('dataset_clips').where('dataset_id', dataset.id).delete()
      if (ordered.length) {
        await trx
          .insertQuery()
          .table('dataset_clips')
          .multiInsert(ordered.map((clipId, position) => ({ dataset_id: dataset.id, clip_id: clipId, position })))
      }
      await trx.from('datasets').where('id', dataset.id).update({ updated_at: new Date() })
      return { ok: true as const, value: { count: ordered.length } }
    })
  }

  /**
   * Publishes the selection as the next version. Clips that cannot enter it (not approved,
   * withdrawn, or consent that does not cover the licence type) or lack processed files are
   * left out, dropped from the selection, and named in `skipped`; with nothing left, nothing
   * is published. A version identical to the latest one (same clips, price and licence) is
   * refused, unless the dataset was unpublished: then it is listed again as it was (audited).
   * One transaction: version, its clips, the dataset's catalog columns.
   */
  async publish(
    dataset: Dataset,
    actor: User | null = null,
    ip: string | null = null
  ): Promise<DatasetResult<{ version: DatasetVersion; skipped: string[]; relisted: boolean }>> {
    const selection = await this.#selection(dataset).preload('assets')
    if (selection.length === 0) return { ok: false, message: 'Pick at least one approved clip before publishing.' }
    if (dataset.sport === null && !dataset.curated) {
      return { ok: false, message: 'Choose the sport of this dataset before publishing.' }
    }

    const skipped: { clip: Clip; reason: string }[] = []
    const usable: { clip: Clip; files: ManifestFile[]; people: number; keypointFrames: number; durationMs: number }[] = []
    const eligibility = await eligibilityOf(selection, dataset.licenceType)
    for (const clip of selection) {
      const reason = eligibility.get(clip.id)!.reason
      if (reason) {
        skipped.push({ clip, reason })
        continue
      }
      const missing = MANIFEST_KINDS.filter((kind) => !clip.assets.some((asset) => asset.kind === kind))
      if (missing.length) {
        skipped.push({ clip, reason: `“${clip.title}” has no processed ${missing.join(', ')} and was left out.` })
        continue
      }
      const asset = (kind: ManifestFileKind) => clip.assets.find((item) => item.kind === kind)!
      let counts: { people: number; keypointFrames: number; durationMs: number }
      try {
        // Recorded by the pipeline (0020); older clips are counted by streaming their file.
        const recorded =
          clip.keypointPeople !== null && clip.keypointFrames !== null && clip.keypointFrameCount !== null && clip.keypointFps !== null
            ? { people: clip.keypointPeople, keypointFrames: clip.keypointFrames, frameCount: clip.keypointFrameCount, fps: clip.keypointFps }
            : await countKeypointsStream(
                (await this.storage.getStream(asset('keypoints').bucket as BucketName, asset('keypoints').key)) as AsyncIterable<Buffer>
              )
        // The upload's probe gives the duration; the processed frames stand in where it is unknown.
        const durationMs = clip.durationMs ?? (recorded.fps ? Math.round((recorded.frameCount / recorded.fps) * 1000) : 0)
        counts = { people: recorded.people, keypointFrames: recorded.keypointFrames, durationMs }
      } catch (error) {
        logger.warn({ err: error, clipId: clip.id }, 'keypoints.json unreadable at publication')
        skipped.push({ clip, reason: `“${clip.title}”: its keypoints could not be read, so it was left out.` })
        continue
      }
      usable.push({
        clip,
        ...counts,
        files: MANIFEST_KINDS.map((kind) => ({
          kind,
          bucket: asset(kind).bucket as BucketName,
          key: asset(kind).key,
          bytes: Number(asset(kind).bytes),
          sha256: asset(kind).sha256,
          path: MANIFEST_FILES[kind](clip.id),
        })),
      })
    }
    if (usable.length === 0) {
      return {
        ok: false,
        message: `Nothing to publish: none of the picked clips can enter a version. ${skipped.map((item) => item.reason).join(' ')}`,
      }
    }

    const manifest: DatasetManifest = canonicalJson({
      format: 1 as const,
      clips: usable.map(({ clip, files, durationMs }, position) => ({
        id: clip.id,
        position,
        seconds: durationMs / 1000,
        title: clip.title,
        sport: clip.sport,
        activity: clip.activity,
        skill_level: clip.skillLevel,
        camera_angle: clip.cameraAngle,
        duration_ms: durationMs,
        files,
      })),
    })
    const stats: DatasetVersionStats = {
      clips: usable.length,
      duration_ms: usable.reduce((sum, item) => sum + item.durationMs, 0),
      people: usable.reduce((sum, item) => sum + item.people, 0),
      keypoint_frames: usable.reduce((sum, item) => sum + item.keypointFrames, 0),
    }

    try {
      return await db.transaction(async (trx) => {
        const locked = await Dataset.query({ client: trx }).where('id', dataset.id).forUpdate().firstOrFail()
        // Statuses and consent may have changed while the files were read: look again under a lock.
        await Clip.query({ client: trx })
          .whereIn('id', usable.map((item) => item.clip.id))
          .forShare()
        const now = await eligibilityOf(usable.map((item) => item.clip), locked.licenceType, trx)
        const changed = [...now.values()].map((item) => item.reason).filter((reason): reason is string => reason !== null)
        if (changed.length) return { ok: false as const, message: `${changed.join(' ')} Publish again to leave it out.` }

        const latest = await DatasetVersion.query({ client: trx }).where('dataset_id', locked.id).orderBy('version', 'desc').first()
        // The version's clip rows are the truth (a version held for consent may hold more than its manifest says).
        const latestIds: string[] = latest
          ? (await trx.from('dataset_version_clips').where('dataset_version_id', latest.id).orderBy('position').select('clip_id')).map((row) => row.clip_id)
          : []
        if (latest && this.#sameAs(latest, latestIds, manifest, locked)) {
          if (locked.status === 'archived') {
            await listVersion(trx, locked, latest, usable.map((item) => item.clip))
            await new AuditTrail().record(
              { actorId: actor?.id ?? null, action: 'dataset.relisted', subject: { type: 'dataset', id: locked.id }, meta: { version: latest.version }, ip },
              trx
            )
            return { ok: true as const, value: { version: latest, skipped: skipped.map((item) => item.reason), relisted: true } }
          }
          return {
            ok: false as const,
            message: `Nothing changed since version ${latest.version}: add or remove clips, or change the price or licence, then publish.`,
          }
        }
        const json = JSON.stringify(manifest)
        const version = await DatasetVersion.create(
          {
            datasetId: locked.id,
            version: (latest?.version ?? 0) + 1,
            manifest: manifest as unknown as Record<string, unknown>,
            manifestSha256: createHash('sha256').update(json).digest('hex'),
            stats,
            priceCents: locked.priceCents,
            currency: locked.currency,
            licenceType: locked.licenceType,
          },
          { client: trx }
        )
        await trx
          .insertQuery()
          .table('dataset_version_clips')
          .multiInsert(
            manifest.clips.map((clip) => ({
              dataset_version_id: version.id,
              clip_id: clip.id,
              position: clip.position,
              seconds: clip.seconds,
            }))
          )
        if (skipped.length) {
          await trx
            .from('dataset_clips')
            .where('dataset_id', locked.id)
            .whereIn('clip_id', skipped.map((item) => item.clip.id))
            .delete()
        }
        await listVersion(trx, locked, version, usable.map((item) => item.clip))
        logger.info({ datasetId: locked.id, version: version.version, clips: stats.clips }, 'dataset version published')
        return { ok: true as const, value: { version, skipped: skipped.map((item) => item.reason), relisted: false } }
      })
    } catch (error) {
      // The database refuses a clip that may not enter this version (migration 0017).
      if (isIneligibleClipError(error)) {
        return { ok: false, message: 'A clip was withdrawn or rejected while publishing. Publish again to leave it out.' }
      }
      throw error
    }
  }

  #sameAs(latest: DatasetVersion, ids: string[], manifest: DatasetManifest, dataset: Dataset) {
    return (
      latest.priceCents === dataset.priceCents &&
      latest.licenceType === dataset.licenceType &&
      latest.currency === dataset.currency &&
      ids.length === manifest.clips.length &&
      ids.every((id, index) => manifest.clips[index].id === id)
    )
  }
}

/**
 * Lists a just-published version in the catalog: the dataset becomes `published` and its
 * filter and sort columns are copied from the version and its clips (first clip = cover).
 * Runs inside the publishing transaction (the demo seeder calls it too).
 */
export async function listVersion(trx: TransactionClientContract, dataset: Dataset, version: DatasetVersion, clips: Clip[]) {
  const unique = (values: (string | null)[]) => [...new Set(values.filter((value): value is string => !!value))].sort()
  dataset.useTransaction(trx)
  dataset.merge({
    status: 'published',
    latestVersionId: version.id,
    coverClipId: clips[0]?.id ?? null,
    publishedAt: DateTime.now(),
    listedPriceCents: version.priceCents,
    listedLicenceType: version.licenceType,
    clipCount: version.stats.clips,
    durationMs: version.stats.duration_ms,
    sports: unique(clips.map((clip) => clip.sport)),
    activities: unique(clips.map((clip) => clip.activity)),
    skillLevels: unique(clips.map((clip) => clip.skillLevel)),
    cameraAngles: unique(clips.map((clip) => clip.cameraAngle)),
  })
  await dataset.save()
}
