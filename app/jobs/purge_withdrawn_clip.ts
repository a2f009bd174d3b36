import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import type { JobContext, JobHandler } from '#jobs/registry'
import { isNotFound, logicalBucket, StorageService } from '#app/core/storage_service'

/**
 * Deletes every stored object of a withdrawn clip, then its asset rows. The clip row and its
 * consent records stay: they are the evidence of what was consented to and withdrawn.
 * Idempotent: a retry, or a second run, finds nothing left to delete.
 */
@inject()
export default class PurgeWithdrawnClip implements JobHandler<'purge-withdrawn-clip'> {
  constructor(protected storage: StorageService) {}

  async handle({ clipId }: { clipId: string }, context: JobContext) {
    const clip = await Clip.find(clipId)
    if (!clip || clip.status !== 'withdrawn') {
      // The data changed since the job was scheduled; deleting now would lose a live clip.
      logger.warn(
        { clipId, jobId: context.jobId, status: clip?.status ?? null },
        'purge skipped: clip is not withdrawn'
      )
      return
    }

    const assets = await ClipAsset.query().where('clip_id', clipId)
    for (const asset of assets) {
      // An object already gone (an earlier attempt, a manual clean-up) is what we want.
      await this.storage
        .remove(logicalBucket(asset.bucket, this.storage), asset.key)
        .catch((error) => {
          if (!isNotFound(error)) throw error
        })
      await asset.delete()
    }
    logger.info({ clipId, jobId: context.jobId, objects: assets.length }, 'purged withdrawn clip')
  }
}
