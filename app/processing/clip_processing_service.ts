import { stat } from 'node:fs/promises'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { pipeline as streamPipeline } from 'node:stream/promises'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import config from '#config/athera'
import Clip, { type ClipRiskReason } from '#models/clip'
import ClipAsset from '#models/clip_asset'
import ConsentRecord from '#models/consent_record'
import type ProcessingRun from '#models/processing_run'
import type { JobContext } from '#jobs/registry'
import { outputBucket, StorageService, type BucketName } from '#app/core/storage_service'
import { VisionService, visionSettings } from '#app/processing/vision_service'
import { PROCESSABLE, recordFailure, setProgress, startRun } from '#app/processing/processing_runs'
import { timeLimitError, timeLimitMs } from '#app/processing/time_limit'
import { claimWorkFolder } from '#app/processing/work_folder'
import { runPipeline } from '#workers/pipeline/run'
import { digestFile } from '#workers/pipeline/files'
import { CLIP_OUTPUTS } from '#workers/pipeline/outputs'
import {
  PipelineError,
  type KeypointStats,
  type OutputFile,
  type OutputKind,
  type StepName,
} from '#workers/pipeline/types'
import type { RiskScore } from '#workers/vision/risk'

/** Progress is written to the clip (the page polls it) at most this often. */
const PROGRESS_EVERY_MS = 1000

/**
 * Where an output is stored: under the clip, in a folder named by the bytes' hash. Two runs of
 * one clip (a stalled job redelivered while the first still works, a second worker) never write
 * over each other's different bytes, and a run that finds the clip settled deletes only keys no
 * asset row points at: never what another run published.
 */
export function objectKey(clipId: string, kind: OutputKind, sha256: string) {
  return `clips/${clipId}/${sha256.slice(0, 16)}/${CLIP_OUTPUTS[kind].file}`
}

/**
 * Runs the pipeline for one clip: fetches the original, standardizes and anonymizes it in the
 * clip's work folder, stores the outputs, then publishes them in one transaction. Safe to run
 * again after a crash, or twice at once: keys are named by content (objectKey), objects
 * already stored with the same SHA-256 are not sent twice, nothing is visible before the
 * publishing transaction commits, and only one publication per clip can commit.
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
      logger.info(
        { clipId, status: clip?.status, jobId: context.jobId },
        'process-clip: nothing to do'
      )
      return
    }
    const run = await startRun(clip, context)
    const work = await claimWorkFolder(clip.id)
    let step: StepName | 'download' | 'store' | 'publish' = 'download'
    const timings: Record<string, number> = {}
    const stored: { bucket: BucketName; key: string }[] = []
    // Stopped by the time limit, or by the worker shutting down (the job is then handed back).
    const limits = config.pipeline.timeLimit
    const timer = new AbortController()
    const signal = context.signal ? AbortSignal.any([timer.signal, context.signal]) : timer.signal
    let limitMs = timeLimitMs((clip.durationMs ?? 0) / 1000, limits)
    const begun = Date.now()
    let deadline = setTimeout(() => timer.abort(), limitMs)
    try {
      await setProgress(clip, 0, context)
      const started = performance.now()
      const input = await this.#download(clip, join(work.path, 'original'))
      if (input.fetched) timings.download = Math.round(performance.now() - started)

      let lastWrite = 0
      const processors = await this.vision.processors({ sport: clip.sport })
      const result = await runPipeline(
        { inputPath: input.path, outDir: join(work.path, 'out'), clip: await this.#describe(clip) },
        {
          ...config.pipeline,
          ffmpegPath: config.media.ffmpegPath,
          ffprobePath: config.media.ffprobePath,
          processors,
          blur: visionSettings().blur,
        },
        {
          signal,
          onProbed: (source) => {
            // The file's own declared length, once known, sets the limit (the upload's may be absent).
            const declared = timeLimitMs(source.durationSeconds, limits)
            if (declared === limitMs) return
            limitMs = declared
            clearTimeout(deadline)
            deadline = setTimeout(() => timer.abort(), Math.max(0, begun + limitMs - Date.now()))
          },
          onStep: (name, state) => {
            if (state === 'started') step = name
          },
          onProgress: (percent) => {
            // The pipeline ends at 95%: storing and publishing are the last five.
            const scaled = Math.floor(percent * 0.95)
            if (Date.now() - lastWrite < PROGRESS_EVERY_MS) return
            lastWrite = Date.now()
            setProgress(clip, scaled, context).catch(() => {})
          },
        }
      )
      Object.assign(timings, result.timings)
      if (signal.aborted)
        throw new PipelineError('E_ABORTED', 'metadata', 'Processing was stopped.')

      step = 'store'
      const storing = performance.now()
      for (const output of Object.values(result.outputs))
        stored.push(await this.store(clip.id, output))
      timings.store = Math.round(performance.now() - storing)

      step = 'publish'
      const published = await this.#publish(
        clip,
        run,
        result.outputs,
        timings,
        result.metadata,
        result.keypointStats
      )
      if (!published) {
        // Withdrawn while we worked, or published by another run of the same job: what this
        // run stored and no asset row points at must not outlive it.
        await this.discardUnreferenced(clip.id, stored)
        logger.info(
          { clipId: clip.id, jobId: context.jobId },
          'clip settled during processing; outputs discarded'
        )
        return
      }
      // Objects of earlier publications (other hashes) that no row points at any more.
      await this.discardUnreferenced(clip.id)
      logger.info({ clipId: clip.id, jobId: context.jobId, timings }, 'clip processed')
    } catch (caught) {
      let error = caught
      if (context.signal?.aborted && !timer.signal.aborted) {
        // The worker is shutting down: the job goes back to the queue as it was.
        await this.discardUnreferenced(clip.id, stored)
        logger.info(
          { clipId: clip.id, jobId: context.jobId, step },
          'processing stopped by shutdown; job handed back'
        )
        throw caught
      }
      if (timer.signal.aborted) error = timeLimitError(limitMs, step)
      // Thumbnail and preview run side by side: the error names the step that failed.
      const failedStep = error instanceof PipelineError && !timer.signal.aborted ? error.step : step
      await this.discardUnreferenced(clip.id, stored)
      await recordFailure(clip, run, failedStep, error, timings, context)
      throw error
    } finally {
      clearTimeout(deadline)
      // A clip that may still be retried keeps its folder; a published or settled one does not.
      const current = await Clip.find(clip.id)
      const keep = current && ['uploaded', 'processing', 'failed'].includes(current.status)
      await work.release(!keep)
    }
  }

  /** The original in the work folder; a copy left by an earlier attempt is reused if intact. */
  async #download(clip: Clip, path: string) {
    const raw = await ClipAsset.query().where('clip_id', clip.id).where('kind', 'raw').firstOrFail()
    const present = await stat(path).catch(() => null)
    // Hashed only when the size already matches: a wrong size settles it without reading the file.
    if (present?.size === raw.bytes) {
      const digest = await digestFile(path)
      if (digest.sha256 === raw.sha256) return { path, fetched: false }
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

  /** Uploads one output unless the same bytes are already stored under its key (also a re-render's). */
  async store(clipId: string, output: OutputFile) {
    const bucket = outputBucket(output.kind)
    const key = objectKey(clipId, output.kind, output.sha256)
    const existing = await this.storage.stat(bucket, key)
    if (existing?.metaData?.sha256 === output.sha256 && existing.size === output.bytes)
      return { bucket, key }
    await this.storage.putFile(bucket, key, output.path, output.contentType, {
      sha256: output.sha256,
    })
    return { bucket, key }
  }

  /**
   * Deletes the clip's processed objects that no asset row points at: `candidates` (what this
   * run stored), or everything under the clip's folders after a publication. Rows are read
   * after the publishing transaction settled, so a published object is never among them.
   */
  async discardUnreferenced(clipId: string, candidates?: { bucket: BucketName; key: string }[]) {
    try {
      const rows = await ClipAsset.query().where('clip_id', clipId).whereNot('kind', 'raw')
      const kept = new Set(rows.map((row) => `${row.bucket}/${row.key}`))
      let objects = candidates
      if (!objects) {
        objects = []
        for (const bucket of ['processed', 'previews'] as const) {
          for (const key of await this.storage.list(bucket, `clips/${clipId}/`))
            objects.push({ bucket, key })
        }
      }
      for (const { bucket, key } of objects) {
        if (kept.has(`${bucket}/${key}`) || kept.has(`${this.storage.bucket(bucket)}/${key}`))
          continue
        await this.storage.remove(bucket, key).catch(() => {})
      }
    } catch (error) {
      // An object left behind costs space, not correctness: the next publication sweeps again.
      logger.warn({ clipId, err: error }, 'unreferenced outputs could not be cleaned up')
    }
  }

  /** One transaction: the clip shows all of its assets at once, or none of them. */
  async #publish(
    clip: Clip,
    run: ProcessingRun,
    outputs: Record<OutputKind, OutputFile>,
    timings: Record<string, number>,
    metadata: Record<string, unknown>,
    keypointStats: KeypointStats
  ) {
    return db.transaction(async (trx) => {
      const current = await Clip.query({ client: trx })
        .where('id', clip.id)
        .forUpdate()
        .firstOrFail()
      // Withdrawn (or otherwise settled) while we worked: publish nothing.
      if (!PROCESSABLE.has(current.status)) return false
      for (const output of Object.values(outputs)) {
        const bucket = outputBucket(output.kind)
        await ClipAsset.updateOrCreate(
          { clipId: clip.id, kind: output.kind },
          {
            bucket,
            key: objectKey(clip.id, output.kind, output.sha256),
            bytes: output.bytes,
            sha256: output.sha256,
            contentType: output.contentType,
          },
          { client: trx }
        )
      }
      current.merge({
        status: 'processed',
        progress: 100,
        statusReason: null,
        failedStep: null,
        // What publishing a dataset version needs, so it never reads keypoints.json.
        keypointPeople: keypointStats.people,
        keypointFrames: keypointStats.framesWithPeople,
        keypointFrameCount: keypointStats.frameCount,
        keypointFps: keypointStats.fps,
        // The queue sorts by it in SQL and shows its reasons without reading metadata.json.
        ...storedRisk(metadata),
      })
      await current.save()
      run.useTransaction(trx)
      run.merge({
        status: 'succeeded',
        finishedAt: DateTime.now(),
        stepTimings: timings,
        modelVersions: Object.fromEntries(
          ((metadata.models as { name: string; version?: string }[] | undefined) ?? []).map(
            (model) => [model.name, model.version ?? '']
          )
        ),
      })
      await run.save()
      return true
    })
  }
}

/**
 * metadata.json's risk score as the clip keeps it; null when the QA report has none (a
 * pipeline without the anonymize processor), so the clip sorts with the unscored.
 */
export function storedRisk(metadata: Record<string, unknown>): {
  riskScore: number | null
  riskReasons: ClipRiskReason[] | null
} {
  const risk = (metadata.anonymization as { anonymize?: { risk?: RiskScore } } | undefined)
    ?.anonymize?.risk
  if (!risk || typeof risk.score !== 'number' || !Array.isArray(risk.reasons))
    return { riskScore: null, riskReasons: null }
  return {
    riskScore: risk.score,
    riskReasons: risk.reasons.map(({ code, message, weight, times }) => ({
      code,
      message,
      weight,
      times,
    })),
  }
}
