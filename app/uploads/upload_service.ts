import { createHash, type Hash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, open, rm, stat, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { errors as vineErrors } from '@vinejs/vine'
import { DateTime } from 'luxon'
import config from '#config/athera'
import type Clip from '#models/clip'
import Upload, { type UploadClipFields } from '#models/upload'
import type User from '#models/user'
import { ConsentService } from '#app/consent/public'
import { SettingsStore } from '#app/core/settings_store'
import { uploadMetadataValidator } from '#app/uploads/validators'
import { OriginalChecks } from '#app/uploads/original_checks'
import { OriginalStore } from '#app/uploads/original_store'
import { UploadError, uploadErrors } from '#app/uploads/errors'
import { EmbeddedScriptScanner } from '#workers/video/container'
import { digestFile } from '#workers/pipeline/files'

/** An upload is resumable for a day; after that its bytes are purged. */
const UPLOAD_TTL_HOURS = 24

/**
 * How long the request appending to an upload holds it without renewing its lease. It renews
 * every third of that while bytes arrive, so only a dead process's lease ever lapses.
 */
const WRITE_LEASE_SECONDS = 60

/**
 * SHA-256 state of uploads receiving in this process, so the hash is computed while the bytes
 * stream in. A resumed upload that lands on another process (or after a restart) has no state
 * here and is hashed once from the staged file when it completes.
 */
const hashing = new Map<string, { hash: Hash; bytes: number; scripts: EmbeddedScriptScanner }>()

/** A display name only: anything that looks like a path is refused, not cleaned up. */
function checkFilename(name: string) {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\/\\]|\.\.|[\u0000-\u001f\u007f]/.test(name) || name.startsWith('.')) {
    throw uploadErrors.raise('E_BAD_FILENAME', { name })
  }
}

/**
 * Resumable uploads of originals (tus 1.0: creation, offset, termination, expiration). The
 * bytes are staged on local disk while they arrive, checked (magic bytes, ffprobe, bounds,
 * duplicates), streamed to the private `raw` bucket, and only then does a clip exist.
 */
@inject()
export class UploadService {
  constructor(
    protected settings: SettingsStore,
    protected consent: ConsentService,
    protected checks: OriginalChecks,
    protected originals: OriginalStore
  ) {}

  stagingPath(upload: Upload) {
    return join(config.uploads.stagingDir, `${upload.id}.part`)
  }

  /** Opens an upload after checking consent, size, quota, name and the clip's fields. */
  async create(user: User, length: number, rawMetadata: Record<string, string>) {
    const settings = await this.settings.all()
    if (!Number.isSafeInteger(length) || length < 0) {
      throw uploadErrors.raise('E_BAD_METADATA')
    }
    if (length === 0) throw uploadErrors.raise('E_EMPTY')
    if (length > settings.upload_max_bytes) {
      throw uploadErrors.raise('E_TOO_LARGE', { bytes: length, max: settings.upload_max_bytes })
    }
    if (rawMetadata.filename) checkFilename(rawMetadata.filename)

    let fields
    try {
      // An empty value is an answer left out, as a form's "not said" option sends it.
      const present = Object.fromEntries(
        Object.entries(rawMetadata).filter(([, value]) => value !== '')
      )
      fields = await uploadMetadataValidator.validate(present, {
        meta: { sports: settings.sports },
      })
    } catch (error) {
      if (error instanceof vineErrors.E_VALIDATION_ERROR) {
        const first = error.messages[0]
        throw uploadErrors.raise('E_BAD_METADATA', { why: `${first.field}: ${first.message}` })
      }
      throw error
    }
    checkFilename(fields.filename)

    const grant = await this.consent.assertUsableGrant(user, fields.consentId).catch((error) => {
      throw uploadErrors.raise('E_CONSENT', { why: error.message })
    })

    const metadata: UploadClipFields = {
      title: fields.title,
      sport: fields.sport,
      activity: fields.activity ?? null,
      skillLevel: fields.skillLevel ?? null,
      cameraAngle: fields.cameraAngle ?? null,
      venueType: fields.venueType ?? null,
      recordedOn: fields.recordedOn ? DateTime.fromJSDate(fields.recordedOn).toISODate() : null,
      tags: (fields.tags ?? '')
        .split(',')
        .map((tag) => tag.trim().toLowerCase())
        .filter(Boolean)
        .slice(0, 20),
      contentType: fields.filetype || 'application/octet-stream',
    }
    const upload = await db.transaction(async (trx) => {
      // One creator's creations run one at a time, so two requests cannot both see the same
      // room under the quota; the lock ends with the transaction that inserted the row.
      await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtext(?))', [`uploads:${user.id}`])
      const used = await this.bytesUsed(user, trx)
      if (used + length > settings.creator_quota_bytes) {
        throw uploadErrors.raise('E_QUOTA', {
          total: used + length,
          quota: settings.creator_quota_bytes,
        })
      }
      return Upload.create(
        {
          userId: user.id,
          consentRecordId: grant.id,
          filename: fields.filename,
          length,
          offset: 0,
          metadata,
          status: 'receiving',
          expiresAt: DateTime.now().plus({ hours: UPLOAD_TTL_HOURS }),
        },
        { client: trx }
      )
    })
    await mkdir(config.uploads.stagingDir, { recursive: true })
    const handle = await open(this.stagingPath(upload), 'w')
    await handle.close()
    hashing.set(upload.id, {
      hash: createHash('sha256'),
      bytes: 0,
      scripts: new EmbeddedScriptScanner(),
    })
    return upload
  }

  /** Originals kept for this creator plus uploads still arriving. */
  async bytesUsed(user: User, client: QueryClientContract = db.connection()) {
    const clips = await client
      .from('clips')
      .where('user_id', user.id)
      .whereNot('status', 'withdrawn')
      .sum('bytes as total')
      .first()
    const pending = await client
      .from('uploads')
      .where('user_id', user.id)
      .where('status', 'receiving')
      .where('expires_at', '>', new Date())
      .sum('length as total')
      .first()
    return Number(clips?.total ?? 0) + Number(pending?.total ?? 0)
  }

  /** The creator's upload, still receiving; refused and expired ones are gone for the client. */
  async find(user: User, id: string) {
    const upload = await Upload.query().where('id', id).where('user_id', user.id).first()
    if (!upload) throw uploadErrors.raise('E_NOT_FOUND')
    if (upload.status !== 'receiving' || upload.expiresAt < DateTime.now()) {
      throw uploadErrors.raise('E_GONE')
    }
    return upload
  }

  /**
   * Appends the request body at `offset` (which must be where the upload stands). Bytes
   * received before a dropped connection are kept: the client resumes from the new offset.
   * When the last byte arrives, the upload is finished into a clip.
   */
  async append(upload: Upload, offset: number, body: Readable) {
    if (offset !== upload.offset) {
      throw uploadErrors.raise('E_OFFSET_MISMATCH', { at: upload.offset, sent: offset })
    }
    await this.#claim(upload, offset)
    const renewal = setInterval(
      () => {
        this.#renew(upload).catch((error) =>
          logger.warn({ uploadId: upload.id, err: error }, 'upload lease not renewed')
        )
      },
      (WRITE_LEASE_SECONDS * 1000) / 3
    )
    try {
      return await this.#append(upload, offset, body)
    } finally {
      clearInterval(renewal)
      await db.from('uploads').where('id', upload.id).update({ writing_until: null })
    }
  }

  /**
   * Takes the upload's write lease: only one request at a time appends to an upload (and so
   * only one can finish it into a clip). A second request is refused, not queued.
   */
  async #claim(upload: Upload, offset: number) {
    const claimed = await db
      .from('uploads')
      .where('id', upload.id)
      .where('status', 'receiving')
      .where('offset', offset)
      .where((query) =>
        query.whereNull('writing_until').orWhere('writing_until', '<', db.raw('now()'))
      )
      .update(
        { writing_until: db.knexRawQuery(`now() + interval '${WRITE_LEASE_SECONDS} seconds'`) },
        ['id']
      )
    if (claimed.length === 1) return
    const now = await Upload.find(upload.id)
    if (!now || now.status !== 'receiving') throw uploadErrors.raise('E_GONE')
    if (now.offset !== offset) {
      throw uploadErrors.raise('E_OFFSET_MISMATCH', { at: now.offset, sent: offset })
    }
    throw uploadErrors.raise('E_BUSY')
  }

  async #renew(upload: Upload) {
    await db
      .from('uploads')
      .where('id', upload.id)
      .whereNotNull('writing_until')
      .update({
        writing_until: db.knexRawQuery(`now() + interval '${WRITE_LEASE_SECONDS} seconds'`),
      })
  }

  async #append(upload: Upload, offset: number, body: Readable) {
    const path = this.stagingPath(upload)
    const state = hashing.get(upload.id)
    const hashable = state && state.bytes === offset ? state : null
    if (!hashable) hashing.delete(upload.id)

    let received = 0
    const remaining = upload.length - offset
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length
        if (received > remaining) {
          return callback(uploadErrors.raise('E_OVERFLOW'))
        }
        hashable?.hash.update(chunk)
        hashable?.scripts.push(chunk)
        if (hashable) hashable.bytes += chunk.length
        callback(null, chunk)
      },
    })
    let failure: unknown = null
    try {
      // `flush` fsyncs before close: an acknowledged offset survives a crash.
      await pipeline(
        body,
        meter,
        createWriteStream(path, { flags: 'r+', start: offset, flush: true })
      )
    } catch (error) {
      failure = error
    }

    // What is on disk is the truth, whatever the stream said before it broke.
    const stats = await stat(path)
    const onDisk = stats.size
    const size = Math.min(onDisk, upload.length)
    if (size < onDisk) await truncate(path, size)
    if (hashable && hashable.bytes !== size) hashing.delete(upload.id)
    upload.offset = size
    await upload.save()

    if (failure instanceof UploadError) throw failure
    if (failure) logger.info({ uploadId: upload.id, offset: size }, 'upload interrupted; resumable')
    if (upload.offset === upload.length)
      return { offset: upload.offset, clip: await this.finish(upload) }
    return { offset: upload.offset, clip: null }
  }

  /** Stops an upload and forgets its bytes (tus termination). */
  async cancel(upload: Upload) {
    upload.status = 'cancelled'
    await upload.save()
    await this.#discard(upload)
  }

  /**
   * Checks the complete file, stores it and creates the clip. Any refusal deletes the staged
   * bytes and leaves no object and no clip behind.
   */
  async finish(upload: Upload): Promise<Clip> {
    const path = this.stagingPath(upload)
    try {
      const streamed = hashing.get(upload.id)
      const details = await this.checks.inspect(
        path,
        streamed && streamed.bytes === upload.length ? streamed.scripts : undefined
      )
      const sha256 = await this.#sha256(upload, path)
      await this.checks.refuseDuplicate(upload, sha256)
      return await this.originals.store(upload, path, sha256, details)
    } catch (error) {
      // A refused file leaves nothing behind: no object, no clip, no upload row.
      await upload.delete()
      logger.warn(
        { uploadId: upload.id, code: (error as UploadError).code, err: error },
        'upload refused'
      )
      throw error instanceof UploadError ? error : uploadErrors.raise('E_UNREADABLE')
    } finally {
      await this.#discard(upload)
    }
  }

  async #sha256(upload: Upload, path: string) {
    const state = hashing.get(upload.id)
    if (state && state.bytes === upload.length) return state.hash.digest('hex')
    const digested = await digestFile(path)
    return digested.sha256
  }

  async #discard(upload: Upload) {
    hashing.delete(upload.id)
    await rm(this.stagingPath(upload), { force: true })
  }

  /** Forgets uploads abandoned past their expiry (scheduled job). */
  async purgeExpired() {
    const stale = await Upload.query()
      .where('status', 'receiving')
      .where('expires_at', '<', new Date())
    for (const upload of stale) await this.cancel(upload)
    return stale.length
  }
}
