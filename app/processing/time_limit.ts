import { PipelineError, type StepName } from '#workers/pipeline/types'

/**
 * How long one run may take: `factor` × the clip's declared length, never under `minSeconds`.
 * Past it the run is stopped (its ffmpeg children killed, its frames no longer sent to the
 * vision thread) and the clip fails, so a hostile or broken file cannot hold a worker forever.
 */
export function timeLimitMs(
  durationSeconds: number,
  limits: { factor: number; minSeconds: number }
) {
  const seconds = Number.isFinite(durationSeconds) && durationSeconds > 0 ? durationSeconds : 0
  return Math.round(Math.max(limits.minSeconds, seconds * limits.factor) * 1000)
}

/** The failure a run stopped by its time limit records, named after the step it was in. */
export function timeLimitError(limitMs: number, step: StepName | 'download' | 'store' | 'publish') {
  const seconds = Math.max(1, Math.round(limitMs / 1000))
  const allowed =
    seconds < 120 ? plural(seconds, 'second') : plural(Math.round(seconds / 60), 'minute')
  return new PipelineError(
    'E_TIME_LIMIT',
    step === 'download' || step === 'store' || step === 'publish' ? 'standardize' : step,
    `Processing took longer than the ${allowed} allowed for a clip of this length, so it was stopped.`,
    `time limit ${limitMs} ms`
  )
}

function plural(count: number, unit: string) {
  return `${count} ${unit}${count === 1 ? '' : 's'}`
}
