import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import { AuditTrail } from '#app/core/audit_trail'
import { SettingsStore } from '#app/core/settings_store'
import { isNotFound, logicalBucket, StorageService } from '#app/core/storage_service'

/** A clip in one of these states needs no original any more: the pipeline is done with it. */
export const PAST_PROCESSING = ['processed', 'approved', 'rejected'] as const

const BATCH = 100

/**
 * Enforces the `raw_retention_days` setting: originals of clips past processing, uploaded more
 * than N days ago, are deleted from the raw bucket and their asset row removed, audited as the
 * system. 0 keeps originals. Idempotent: a second run finds nothing to delete.
 */
@inject()
export class RawRetentionService {
  #audit = new AuditTrail()

  constructor(
    protected storage: StorageService,
    protected settings: SettingsStore
  ) {}

  /** Deletes the expired originals; returns how many. */
  async purgeExpired(now = DateTime.now()) {
    const days = await this.settings.get('raw_retention_days')
    if (!days || days <= 0) return 0
    const cutoff = now.minus({ days })
    let purged = 0
    let afterId = 0
    for (;;) {
      const candidates = await ClipAsset.query()
        .join('clips', 'clips.id', 'clip_assets.clip_id')
        .where('clip_assets.kind', 'raw')
        .whereIn('clips.status', [...PAST_PROCESSING])
        .where('clip_assets.created_at', '<', cutoff.toJSDate())
        .where('clip_assets.id', '>', afterId)
        .orderBy('clip_assets.id')
        .limit(BATCH)
        .select('clip_assets.*')
      if (candidates.length === 0) return purged
      for (const asset of candidates) {
        afterId = asset.id
        if (await this.#purge(asset.id, days, cutoff)) purged++
      }
    }
  }

  /**
   * Re-checks the clip under a lock (it may have been withdrawn, or the row purged by another
   * worker, since the batch was read), deletes the object, then the row, with its audit entry.
   * The object goes first: a crash between the two leaves a row whose object is gone, which
   * the next run completes; the other order could leave an object nothing points at.
   */
  async #purge(assetId: number, days: number, cutoff: DateTime) {
    return db.transaction(async (trx) => {
      const asset = await ClipAsset.query({ client: trx }).where('id', assetId).forUpdate().first()
      if (!asset || asset.createdAt >= cutoff) return false
      const clip = await Clip.query({ client: trx }).where('id', asset.clipId).forUpdate().first()
      if (!clip || !(PAST_PROCESSING as readonly string[]).includes(clip.status)) return false
      await this.storage
        .remove(logicalBucket(asset.bucket, this.storage), asset.key)
        .catch((error) => {
          if (!isNotFound(error)) throw error
        })
      await asset.delete()
      await this.#audit.record(
        {
          actorId: null,
          action: 'clip.raw_purged',
          subject: { type: 'clip', id: clip.id },
          meta: {
            key: asset.key,
            bytes: asset.bytes,
            uploadedAt: asset.createdAt.toISO(),
            retentionDays: days,
          },
        },
        trx
      )
      logger.info({ clipId: clip.id, key: asset.key }, 'purged original past retention')
      return true
    })
  }
}
