import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import config from '#config/athera'
import { QueueService } from '#app/core/queue_service'
import { StorageService } from '#app/core/storage_service'

/** A clip this long in `uploaded`/`processing` without a live job is stuck, not in flight. */
const STUCK_AFTER_MS = 5 * 60 * 1000

/**
 * Staged files and raw objects younger than this are left alone: an upload writes its staged
 * file just after its row, and stores its original just before the clip's row commits.
 */
const SAFETY_AGE_MS = 60 * 60 * 1000

/** BullMQ states in which a job will still run (or runs now). */
const LIVE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const

export interface SweepOptions {
  stuckAfterMs?: number
  safetyAgeMs?: number
}

export interface SweepResult {
  requeuedClips: number
  stagedFiles: number
  stagedBytes: number
  rawObjects: number
  rawBytes: number
}

/**
 * What a bad day leaves behind around uploads, put right on a schedule: clips whose job was
 * never queued (Redis down at the moment of dispatch) or was lost, staged upload files no
 * upload is receiving into, and originals in the `raw` bucket that no asset row references.
 * Each run is recorded for the admin dashboard.
 */
@inject()
export class UploadSweepService {
  constructor(
    protected queue: QueueService,
    protected storage: StorageService
  ) {}

  async run(options: SweepOptions = {}): Promise<SweepResult> {
    const requeuedClips = await this.requeueStuckClips(options.stuckAfterMs ?? STUCK_AFTER_MS)
    const staged = await this.removeOrphanedStagedFiles(options.safetyAgeMs ?? SAFETY_AGE_MS)
    const raw = await this.removeOrphanedOriginals(options.safetyAgeMs ?? SAFETY_AGE_MS)
    const result = {
      requeuedClips,
      stagedFiles: staged.files,
      stagedBytes: staged.bytes,
      rawObjects: raw.objects,
      rawBytes: raw.bytes,
    }
    await db.table('storage_sweeps').insert({
      requeued_clips: result.requeuedClips,
      staged_files: result.stagedFiles,
      staged_bytes: result.stagedBytes,
      raw_objects: result.rawObjects,
      raw_bytes: result.rawBytes,
    })
    return result
  }

  /**
   * Queues `process-clip` for clips left `uploaded`/`processing` with no live job. The job id
   * is the upload's own (`process-clip-<id>`), so a dispatch that did land after all is not
   * doubled; a retry's job (another id) counts as live through its payload.
   */
  async requeueStuckClips(stuckAfterMs = STUCK_AFTER_MS) {
    const stuck = await db
      .from('clips')
      .whereIn('status', ['uploaded', 'processing'])
      .where('updated_at', '<', new Date(Date.now() - stuckAfterMs))
      .select('id')
    if (stuck.length === 0) return 0
    const queue = this.queue.queue('process-clip')
    const jobs = await queue.getJobs([...LIVE_STATES])
    const live = new Set(jobs.map((job) => job?.data?.clipId))
    let requeued = 0
    for (const { id } of stuck) {
      if (live.has(id)) continue
      const jobId = `process-clip-${id}`
      // A finished job kept under the same id (completed or failed, so not live) would make
      // BullMQ ignore the new one.
      const old = await queue.getJob(jobId)
      if (old && ['completed', 'failed'].includes(await old.getState())) await old.remove()
      await this.queue.dispatch('process-clip', { clipId: id }, { jobId })
      logger.info({ clipId: id, jobId }, 'stuck clip queued again by the sweeper')
      requeued++
    }
    return requeued
  }

  /** Staged `<upload id>.part` files that no receiving upload owns (and anything else there). */
  async removeOrphanedStagedFiles(safetyAgeMs = SAFETY_AGE_MS) {
    const names = await readdir(config.uploads.stagingDir).catch(() => [] as string[])
    const rows = await db.from('uploads').where('status', 'receiving').select('id')
    const receiving = new Set(rows.map((row) => `${row.id}.part`))
    let files = 0
    let bytes = 0
    for (const name of names) {
      if (receiving.has(name)) continue
      const path = join(config.uploads.stagingDir, name)
      const info = await stat(path).catch(() => null)
      if (!info?.isFile() || Date.now() - info.mtimeMs < safetyAgeMs) continue
      await rm(path, { force: true })
      files++
      bytes += info.size
      logger.info({ file: name, bytes: info.size }, 'orphaned staged upload file removed')
    }
    return { files, bytes }
  }

  /** Objects in the `raw` bucket that no clip asset references. */
  async removeOrphanedOriginals(safetyAgeMs = SAFETY_AGE_MS) {
    const objects = await this.storage.listDetailed('raw', 'clips/')
    if (objects.length === 0) return { objects: 0, bytes: 0 }
    const rows = await db.from('clip_assets').where('bucket', 'raw').select('key')
    const known = new Set(rows.map((row) => row.key as string))
    let removed = 0
    let bytes = 0
    for (const object of objects) {
      if (known.has(object.key) || Date.now() - object.lastModified.getTime() < safetyAgeMs)
        continue
      await this.storage.remove('raw', object.key)
      removed++
      bytes += object.bytes
      logger.info({ key: object.key, bytes: object.bytes }, 'unreferenced original removed')
    }
    return { objects: removed, bytes }
  }

  /** The last run and what all runs removed, for the admin dashboard. */
  async summary() {
    const last = await db
      .from('storage_sweeps')
      .orderBy('ran_at', 'desc')
      .orderBy('id', 'desc')
      .first()
    const totals = await db
      .from('storage_sweeps')
      .sum('requeued_clips as requeued')
      .sum('staged_files as stagedFiles')
      .sum('staged_bytes as stagedBytes')
      .sum('raw_objects as rawObjects')
      .sum('raw_bytes as rawBytes')
      .first()
    return {
      lastRunAt: last ? new Date(last.ran_at) : null,
      last: last
        ? {
            requeuedClips: Number(last.requeued_clips),
            stagedFiles: Number(last.staged_files),
            stagedBytes: Number(last.staged_bytes),
            rawObjects: Number(last.raw_objects),
            rawBytes: Number(last.raw_bytes),
          }
        : null,
      totals: {
        requeuedClips: Number(totals?.requeued ?? 0),
        stagedFiles: Number(totals?.stagedFiles ?? 0),
        stagedBytes: Number(totals?.stagedBytes ?? 0),
        rawObjects: Number(totals?.rawObjects ?? 0),
        rawBytes: Number(totals?.rawBytes ?? 0),
      },
    }
  }
}
