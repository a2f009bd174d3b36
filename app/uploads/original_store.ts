import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import type Upload from '#models/upload'
import { ConsentService } from '#app/consent/public'
import { QueueService } from '#app/core/queue_service'
import { StorageService } from '#app/core/storage_service'
import type { Inspection } from '#app/uploads/original_checks'

/**
 * A checked original becomes a clip: the bytes go to the private `raw` bucket, the clip, its
 * asset row and its place under the consent grant are written in one transaction, and its
 * processing is queued.
 */
@inject()
export class OriginalStore {
  constructor(
    protected consent: ConsentService,
    protected storage: StorageService,
    protected queue: QueueService
  ) {}

  async store(upload: Upload, path: string, sha256: string, details: Inspection) {
    const clip = new Clip()
    clip.fill({
      userId: upload.userId,
      consentRecordId: upload.consentRecordId,
      title: upload.metadata.title,
      sport: upload.metadata.sport,
      activity: upload.metadata.activity,
      skillLevel: upload.metadata.skillLevel as Clip['skillLevel'],
      cameraAngle: upload.metadata.cameraAngle,
      venueType: upload.metadata.venueType,
      recordedOn: upload.metadata.recordedOn ? DateTime.fromISO(upload.metadata.recordedOn) : null,
      tags: upload.metadata.tags,
      status: 'uploaded',
      progress: 0,
      originalFilename: upload.filename,
      contentType: details.contentType,
      bytes: upload.length,
      sha256,
      durationMs: Math.round(details.info.durationSeconds * 1000),
      width: details.video.width,
      height: details.video.height,
      fps: Math.round(details.video.fps * 1000) / 1000,
    })
    // The id is known before the insert, so the object key can carry it.
    Clip.assignIdAndDefaults(clip)
    const key = `clips/${clip.id}/original`
    await this.storage.putFile('raw', key, path, details.contentType)
    try {
      await db.transaction(async (trx) => {
        clip.useTransaction(trx)
        await clip.save()
        await ClipAsset.create(
          {
            clipId: clip.id,
            kind: 'raw',
            bucket: 'raw',
            key,
            bytes: upload.length,
            sha256,
            contentType: details.contentType,
          },
          { client: trx }
        )
        await this.consent.attachClip(upload.consentRecordId, clip.id, trx)
        upload.useTransaction(trx)
        upload.status = 'accepted'
        upload.clipId = clip.id
        await upload.save()
      })
    } catch (error) {
      // No clip row means no object either: the original must not linger unreferenced.
      await this.storage.remove('raw', key).catch(() => {})
      throw error
    }
    // BullMQ job ids may not contain ':'; one job per clip makes the dispatch idempotent.
    try {
      await this.queue.dispatch(
        'process-clip',
        { clipId: clip.id },
        { jobId: `process-clip-${clip.id}` }
      )
    } catch (error) {
      // The clip is stored and committed: the upload succeeded. The sweeper queues its job
      // (same id) once Redis answers again, so it never waits forever.
      logger.warn(
        { clipId: clip.id, err: error },
        'process-clip not queued; the sweeper will queue it'
      )
    }
    return clip
  }
}
