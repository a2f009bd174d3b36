import { hostname } from 'node:os'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Clip from '#models/clip'
import ProcessingRun from '#models/processing_run'
import type { JobContext } from '#jobs/registry'
import { PipelineError } from '#workers/pipeline/types'

/**
 * The processing_runs rows of a clip's attempts and the clip's status while it runs: an
 * attempt's start, its progress, and its failure (final on the last attempt).
 */

/** Statuses a `process-clip` job may work on; anything else means the job is stale. */
export const PROCESSABLE = new Set(['uploaded', 'processing'])

/** Failures that would only repeat on a retry: the clip fails at once. */
const FINAL_CODES = new Set(['E_TIME_LIMIT', 'E_DURATION_MISMATCH'])

/**
 * A run row per attempt. A row left `running` by a worker that died is this attempt's own
 * (the job was taken over), so it is reused rather than duplicated.
 */
export async function startRun(clip: Clip, context: JobContext) {
  // Under the clip's row lock: two runs starting at once must not both take attempt n + 1.
  return db.transaction(async (trx) => {
    await Clip.query({ client: trx }).where('id', clip.id).forUpdate().firstOrFail()
    const orphan = await ProcessingRun.query({ client: trx })
      .where('clip_id', clip.id)
      .where('status', 'running')
      .first()
    if (orphan) {
      orphan.merge({ jobId: context.jobId, workerHost: hostname(), startedAt: DateTime.now() })
      await orphan.save()
      return orphan
    }
    const last = await trx
      .from('processing_runs')
      .where('clip_id', clip.id)
      .max('attempt as attempt')
      .first()
    return ProcessingRun.create(
      {
        clipId: clip.id,
        attempt: Number(last?.attempt ?? 0) + 1,
        jobId: context.jobId,
        status: 'running',
        startedAt: DateTime.now(),
        workerHost: hostname(),
        stepTimings: {},
        modelVersions: {},
      },
      { client: trx }
    )
  })
}

export async function setProgress(clip: Clip, percent: number, context: JobContext) {
  await Clip.query()
    .where('id', clip.id)
    .whereIn('status', [...PROCESSABLE])
    .update({
      status: 'processing',
      progress: percent,
      status_reason: null,
      failed_step: null,
      updated_at: new Date(),
    })
  await context.reportProgress(percent)
}

/** Records the failure; the clip fails for good only on the last attempt. */
export async function recordFailure(
  clip: Clip,
  run: ProcessingRun,
  step: string,
  error: unknown,
  timings: Record<string, number>,
  context: JobContext
) {
  const message =
    error instanceof PipelineError
      ? error.message
      : 'Processing stopped on an internal error; it is logged for the administrator.'
  const code = error instanceof PipelineError ? error.code : 'E_INTERNAL'
  logger.error(
    { clipId: clip.id, jobId: context.jobId, step, code, err: error },
    'clip processing failed'
  )
  // Another run of the same job may have published meanwhile: its succeeded row stays.
  await ProcessingRun.query()
    .where('id', run.id)
    .where('status', 'running')
    .update({
      status: 'failed',
      finished_at: new Date(),
      failed_step: step,
      error_code: code,
      error_message: message,
      step_timings: JSON.stringify(timings),
    })
  if (context.finalAttempt || FINAL_CODES.has(code)) {
    await Clip.query()
      .where('id', clip.id)
      .whereIn('status', [...PROCESSABLE])
      .update({
        status: 'failed',
        status_reason: message,
        failed_step: step,
        updated_at: new Date(),
      })
  }
}
