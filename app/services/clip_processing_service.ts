import { mkdir, rm, stat } from 'node:fs/promises'
import { createWriteStream } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { pipeline as streamPipeline } from 'node:stream/promises'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import config from '#config/athera'
import Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import ConsentRecord from '#models/consent_record'
import ProcessingRun from '#models/processing_run'
import type { JobContext } from '#jobs/registry'
import { StorageService, type BucketName } from '#services/storage_service'
import { VisionService, visionSettings } from '#services/vision_service'
import { runPipeline } from '#workers/pipeline/run'
import { digestFile } from '#workers/pipeline/files'
import { PipelineError, type OutputFile, type OutputKind, type StepName } from '#workers/pipeline/types'

/** Where each output lives: anonymized data in `processed`, catalog media in `previews`. */
const PLACEMENT: Record<OutputKind, { bucket: BucketName; name: string }> = {
  video: { bucket: 'processed', name: 'video.mp4' },
  keypoints: { bucket: 'processed', name: 'keypoints.json' },
  // For reviewers only (the moderation page): never in a manifest or an export.
  regions: { bucket: 'processed', name: 'regions.json' },
  metadata: { bucket: 'processed', name: 'metadata.json' },
  thumbnail: { bucket: 'previews', name: 'thumbnail.jpg' },
  preview: { bucket: 'previews', name: 'preview.mp4' },
}

/** Statuses a `process-clip` job may work on; anything else means the job is stale. */
const PROCESSABLE = new Set(['uploaded', 'processing'])

/** Progress is written to the clip (the page polls it) at most this often. */
const PROGRESS_EVERY_MS = 1000

export function objectKey(clipId: string, kind: OutputKind) {
  return `clips/${clipId}/${PLACEMENT[kind].name}`
}

/**
 * Runs the pipeline for one clip: fetches the original, standardizes and anonymizes it in the
 * clip's work folder, stores the outputs, then publishes them in one transaction. Safe to run
 * again after a crash: keys are fixed per clip, objects already stored with the same SHA-256
 * are not sent twice, and nothing is visible before the publishing transaction commits.
 *
 * The work folder outlives a failure, so a retry on the same worker redoes only the failed
 * step and what follows (the pipeline's steps.json); it is removed once the clip is published
 * or settled. A retry on another machine starts the pipeline over, with the same result.
 */
@inject()
export class ClipProcessingService {
  constructor(
    protected storage: StorageService,
    protected vision: VisionService
  ) {}

  async process(clipId: string, context: JobContext) {
    const clip = await Clip.find(clipId)
    if (!clip || !PROCESSABLE.has(clip.status)) {
      logger.info({ clipId, status: clip?.status, jobId: context.jobId }, 'process-clip: nothing to do')
      return
    }
    const run = await this.#startRun(clip, context)
    const work = join(config.pipeline.workDir, clip.id)
    await mkdir(work, { recursive: true })
    let step: StepName | 'download' | 'store' | 'publish' = 'download'
    const timings: Record<string, number> = {}
    try {
      await this.#setProgress(clip, 0, context)
      const started = performance.now()
      const input = await this.#download(clip, join(work, 'original'))
      if (input.fetched) timings.download = Math.round(performance.now() - started)

      let lastWrite = 0
      const processors = await this.vision.processors()
      const result = await runPipeline(
        { inputPath: input.path, outDir: join(work, 'out'), clip: await this.#describe(clip) },
        {
          ...config.pipeline,
          ffmpegPath: config.media.ffmpegPath,
          ffprobePath: config.media.ffprobePath,
          processors,
          blur: visionSettings().blur,
        },
        {
          onStep: (name, state) => {
            if (state === 'started') step = name
          },
          onProgress: (percent) => {
            // The pipeline ends at 95%: storing and publishing are the last five.
            const scaled = Math.floor(percent * 0.95)
            if (Date.now() - lastWrite < PROGRESS_EVERY_MS) return
            lastWrite = Date.now()
            this.#setProgress(clip, scaled, context).catch(() => {})
          },
        }
      )
      Object.assign(timings, result.timings)

      step = 'store'
      const storing = performance.now()
      for (const output of Object.values(result.outputs)) await this.#store(clip.id, output)
      timings.store = Math.round(performance.now() - storing)

      step = 'publish'
      const published = await this.#publish(clip, run, result.outputs, timings, result.metadata)
      if (!published) {
        // Withdrawn while we worked: what was stored for it must not outlive the decision.
        for (const kind of Object.keys(PLACEMENT) as OutputKind[]) {
          await this.storage.remove(PLACEMENT[kind].bucket, objectKey(clip.id, kind)).catch(() => {})
        }
        logger.info({ clipId: clip.id, jobId: context.jobId }, 'clip settled during processing; outputs discarded')
        return
      }
      logger.info({ clipId: clip.id, jobId: context.jobId, timings }, 'clip processed')
    } catch (error) {
      // Thumbnail and preview run side by side: the error names the step that failed.
      const failedStep = error instanceof PipelineError ? error.step : step
      await this.#fail(clip, run, failedStep, error, timings, context)
      throw error
    } finally {
      // A clip that may still be retried keeps its folder; a published or settled one does not.
      const current = await Clip.find(clip.id)
      if (!current || !['uploaded', 'processing', 'failed'].includes(current.status)) {
        await rm(work, { recursive: true, force: true })
      }
    }
  }

  /**
   * A run row per attempt. A row left `running` by a worker that died is this attempt's own
   * (the job was taken over), so it is reused rather than duplicated.
   */
  async #startRun(clip: Clip, context: JobContext) {
    const orphan = await ProcessingRun.query().where('clip_id', clip.id).where('status', 'running').first()
    if (orphan) {
      orphan.merge({ jobId: context.jobId, workerHost: hostname(), startedAt: DateTime.now() })
      await orphan.save()
      return orphan
    }
    const last = await db.from('processing_runs').where('clip_id', clip.id).max('attempt as attempt').first()
    return ProcessingRun.create({
      clipId: clip.id,
      attempt: Number(last?.attempt ?? 0) + 1,
      jobId: context.jobId,
      status: 'running',
      startedAt: DateTime.now(),
      workerHost: hostname(),
      stepTimings: {},
      modelVersions: {},
    })
  }

  async #setProgress(clip: Clip, percent: number, context: JobContext) {
    await Clip.query()
      .where('id', clip.id)
      .whereIn('status', [...PROCESSABLE])
      .update({ status: 'processing', progress: percent, status_reason: null, failed_step: null, updated_at: new Date() })
    await context.reportProgress(percent)
  }

  /** The original in the work folder; a copy left by an earlier attempt is reused if intact. */
  async #download(clip: Clip, path: string) {
    const raw = await ClipAsset.query().where('clip_id', clip.id).where('kind', 'raw').firstOrFail()
    const present = await stat(path).catch(() => null)
    if (present?.size === raw.bytes && (await digestFile(path)).sha256 === raw.sha256) {
      return { path, fetched: false }
    }
    await streamPipeline(await this.storage.getStream(raw.bucket, raw.key), createWriteStream(path))
    return { path, fetched: true }
  }

  async #describe(clip: Clip) {
    const grant = await ConsentRecord.find(clip.consentRecordId)
    return {
      clipId: clip.id,
      title: clip.title,
      sport: clip.sport,
      activity: clip.activity,
      skillLevel: clip.skillLevel,
      cameraAngle: clip.cameraAngle,
      venueType: clip.venueType,
      recordedOn: clip.recordedOn?.toISODate() ?? null,
      tags: clip.tags,
      consentRecordId: grant?.id ?? null,
      consentTextVersion: grant?.textVersion ?? null,
    }
  }

  /** Uploads one output unless the same bytes are already stored under its key. */
  async #store(clipId: string, output: OutputFile) {
    const { bucket } = PLACEMENT[output.kind]
    const key = objectKey(clipId, output.kind)
    const existing = await this.storage.stat(bucket, key)
    if (existing?.metaData?.sha256 === output.sha256 && existing.size === output.bytes) return
    await this.storage.putFile(bucket, key, output.path, output.contentType, { sha256: output.sha256 })
  }

  /** One transaction: the clip shows all of its assets at once, or none of them. */
  async #publish(
    clip: Clip,
    run: ProcessingRun,
    outputs: Record<OutputKind, OutputFile>,
    timings: Record<string, number>,
    metadata: Record<string, unknown>
  ) {
    return db.transaction(async (trx) => {
      const current = await Clip.query({ client: trx }).where('id', clip.id).forUpdate().firstOrFail()
      // Withdrawn (or otherwise settled) while we worked: publish nothing.
      if (!PROCESSABLE.has(current.status)) return false
      for (const output of Object.values(outputs)) {
        const { bucket } = PLACEMENT[output.kind]
        await ClipAsset.updateOrCreate(
          { clipId: clip.id, kind: output.kind },
          { bucket, key: objectKey(clip.id, output.kind), bytes: output.bytes, sha256: output.sha256, contentType: output.contentType },
          { client: trx }
        )
      }
      current.merge({ status: 'processed', progress: 100, statusReason: null, failedStep: null })
      await current.save()
      run.useTransaction(trx)
      run.merge({
        status: 'succeeded',
        finishedAt: DateTime.now(),
        stepTimings: timings,
        modelVersions: Object.fromEntries(
          ((metadata.models as { name: string; version?: string }[] | undefined) ?? []).map((model) => [model.name, model.version ?? ''])
        ),
      })
      await run.save()
      return true
    })
  }

  /** Records the failure; the clip fails for good only on the last attempt. */
  async #fail(clip: Clip, run: ProcessingRun, step: string, error: unknown, timings: Record<string, number>, context: JobContext) {
    const message =
      error instanceof PipelineError ? error.message : 'Processing stopped on an internal error; it is logged for the administrator.'
    const code = error instanceof PipelineError ? error.code : 'E_INTERNAL'
    logger.error({ clipId: clip.id, jobId: context.jobId, step, code, err: error }, 'clip processing failed')
    run.merge({ status: 'failed', finishedAt: DateTime.now(), failedStep: step, errorCode: code, errorMessage: message, stepTimings: timings })
    await run.save()
    if (context.finalAttempt) {
      await Clip.query()
        .where('id', clip.id)
        .whereIn('status', [...PROCESSABLE])
        .update({ status: 'failed', status_reason: message, failed_step: step, updated_at: new Date() })
    }
  }
}
