import type { JobsOptions } from 'bullmq'

/** Webhook deliveries: attempts in all, and the wait before the first retry (doubling after). */
export const WEBHOOK_ATTEMPTS = 8
export const WEBHOOK_FIRST_RETRY_MS = 60_000

/**
 * Every job the appliance runs, with its payload. A job name without a handler in
 * `handlers` below, or without options in `jobOptions`, does not compile.
 */
export interface JobPayloads {
  'purge-expired-tokens': Record<string, never>
  /** Standardize, anonymize and extract keypoints from an accepted upload. */
  'process-clip': { clipId: string }
  /** Follow a reviewer's box over its frame range in the anonymized video (the boxes are shown before anything changes). */
  'track-redaction': { redactionId: number }
  /** Re-render a clip's video with a tracked manual redaction blurred in, and publish it. */
  'render-redaction': { redactionId: number }
  /** Delete a withdrawn clip's stored objects once the retention period has passed. */
  'purge-withdrawn-clip': { clipId: string }
  /** Forget uploads abandoned for longer than their expiry, and their staged bytes. */
  'purge-stale-uploads': Record<string, never>
  /** Delete originals of clips past processing once the raw-upload retention has passed. */
  'purge-expired-originals': Record<string, never>
  /** Tell the holders of live licences that a withdrawal reached their version: notices, e-mail, webhooks. */
  'notify-withdrawal': { withdrawalRecordId: number }
  /** POST one signed event to a buyer's webhook endpoint; retried with backoff until a 2xx. */
  'deliver-webhook': { deliveryId: number }
  /** Queue clips stuck without a job again; remove staged files and originals nothing references. */
  'sweep-uploads': Record<string, never>
  /** Send creators' transfers left pending (a refusal or timeout at the sale), same idempotency keys. */
  'retry-pending-transfers': Record<string, never>
}

export type JobName = keyof JobPayloads

/** What a handler receives besides its payload: ids for logs, progress reporting. */
export interface JobContext {
  jobId: string
  attempt: number
  /** No retry follows if this attempt fails: the failure is final for the user. */
  finalAttempt: boolean
  reportProgress(percent: number): Promise<void>
  /** Aborted when the worker shuts down: a long job stops and is handed back to the queue. */
  signal?: AbortSignal
}

export interface JobHandler<K extends JobName> {
  handle(payload: JobPayloads[K], context: JobContext): Promise<void>
}

export type HandlerLoader<K extends JobName> = () => Promise<{
  default: new (...args: any[]) => JobHandler<K>
}>

export interface JobTypeOptions {
  defaults: JobsOptions
  /** Jobs of this type run at once in one process, given the configured concurrency. */
  concurrency: (configured: number) => number
}

/**
 * Scheduled clean-ups: one at a time, a few retries with backoff, a short history. A run
 * that fails is retried, and the next hourly run starts over anyway.
 */
function housekeeping(firstRetryDelayMs: number): JobTypeOptions {
  return {
    defaults: {
      attempts: 3,
      backoff: { type: 'exponential', delay: firstRetryDelayMs },
      removeOnComplete: { count: 50 },
      removeOnFail: { count: 200 },
    },
    concurrency: () => 1,
  }
}

export const handlers: { [K in JobName]: HandlerLoader<K> } = {
  'process-clip': () => import('#jobs/process_clip'),
  'track-redaction': () => import('#jobs/track_redaction'),
  'render-redaction': () => import('#jobs/render_redaction'),
  'purge-expired-tokens': () => import('#jobs/purge_expired_tokens'),
  'purge-withdrawn-clip': () => import('#jobs/purge_withdrawn_clip'),
  'purge-stale-uploads': () => import('#jobs/purge_stale_uploads'),
  'purge-expired-originals': () => import('#jobs/purge_expired_originals'),
  'notify-withdrawal': () => import('#jobs/notify_withdrawal'),
  'deliver-webhook': () => import('#jobs/deliver_webhook'),
  'sweep-uploads': () => import('#jobs/sweep_uploads'),
  'retry-pending-transfers': () => import('#jobs/retry_pending_transfers'),
}

/** Per-type retry policy and, for the worker, how many run at once. */
export const jobOptions: { [K in JobName]: JobTypeOptions } = {
  'purge-expired-tokens': housekeeping(10_000),
  'process-clip': {
    defaults: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 30_000 },
      removeOnComplete: { count: 500 },
      removeOnFail: { count: 1000 },
    },
    concurrency: (configured) => configured,
  },
  // A reviewer waits on both: a second attempt soon, then the failure is shown with its reason.
  'track-redaction': {
    defaults: {
      attempts: 2,
      backoff: { type: 'fixed', delay: 5_000 },
      removeOnComplete: { count: 200 },
      removeOnFail: { count: 500 },
    },
    concurrency: () => 1,
  },
  'render-redaction': {
    defaults: {
      attempts: 2,
      backoff: { type: 'fixed', delay: 10_000 },
      removeOnComplete: { count: 200 },
      removeOnFail: { count: 500 },
    },
    concurrency: (configured) => configured,
  },
  'purge-stale-uploads': housekeeping(60_000),
  'purge-expired-originals': housekeeping(60_000),
  'purge-withdrawn-clip': {
    defaults: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 60_000 },
      removeOnComplete: { count: 500 },
      removeOnFail: { count: 1000 },
    },
    concurrency: () => 2,
  },
  'notify-withdrawal': {
    defaults: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 30_000 },
      removeOnComplete: { count: 500 },
      removeOnFail: { count: 1000 },
    },
    concurrency: () => 2,
  },
  // A receiver that is down for a while still gets the event: 8 attempts over about 2 hours.
  'deliver-webhook': {
    defaults: {
      attempts: WEBHOOK_ATTEMPTS,
      backoff: { type: 'exponential', delay: WEBHOOK_FIRST_RETRY_MS },
      removeOnComplete: { count: 500 },
      removeOnFail: { count: 1000 },
    },
    concurrency: () => 4,
  },
  'sweep-uploads': housekeeping(30_000),
  'retry-pending-transfers': housekeeping(60_000),
}

/** Jobs that repeat on a schedule, registered once by the first worker that starts. */
export const schedules: { name: JobName; everyMs: number }[] = [
  { name: 'purge-expired-tokens', everyMs: 60 * 60 * 1000 },
  { name: 'purge-stale-uploads', everyMs: 60 * 60 * 1000 },
  { name: 'purge-expired-originals', everyMs: 60 * 60 * 1000 },
  // Often enough that a clip whose dispatch failed waits minutes, not hours.
  { name: 'sweep-uploads', everyMs: 5 * 60 * 1000 },
  { name: 'retry-pending-transfers', everyMs: 15 * 60 * 1000 },
]

/** Everything a worker needs to know about the job types; tests pass their own. */
export interface JobRegistry {
  handlers: Record<
    string,
    () => Promise<{
      default: new (...args: any[]) => { handle(payload: any, context: JobContext): Promise<void> }
    }>
  >
  options: Record<string, JobTypeOptions>
  schedules: { name: string; everyMs: number }[]
}

export const registry: JobRegistry = { handlers, options: jobOptions, schedules }
