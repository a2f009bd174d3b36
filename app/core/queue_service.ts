import { Queue, WaitingError, Worker, type Job, type ConnectionOptions } from 'bullmq'
import type { Logger } from '@adonisjs/core/logger'
import type { JobName, JobPayloads, JobRegistry } from '#jobs/registry'
import { type ErrorCatalog, FeatureError } from '#app/core/errors'

export interface QueueServiceOptions {
  /** The workers' (blocking) connection: BullMQ needs it to retry forever. */
  connection: ConnectionOptions
  /**
   * The producers' connection (dispatch from a request): few retries and no offline queue,
   * so a request fails fast with a 503 sentence while Redis is down instead of hanging.
   * Defaults to `connection`.
   */
  producerConnection?: ConnectionOptions
  /** How long a dispatch waits for Redis before giving up (default 3 s). */
  dispatchTimeoutMs?: number
  prefix: string
  concurrency: number
  /**
   * How long a job's lock lives without renewal. Pipeline work keeps the event loop free,
   * so the lock is renewed every lockDuration/2; a generous value still survives GC pauses.
   */
  lockDurationMs?: number
  stalledIntervalMs?: number
  /**
   * The job types this service knows: app/jobs/registry.ts's `registry`, handed in by the
   * provider (core does not import the jobs, which import the features), or a test's own.
   */
  registry: JobRegistry
  /**
   * On close, running jobs get this long to finish; then they are asked to stop (their
   * context's signal) and handed back to the queue, so a shutdown fits the grace period.
   */
  drainMs?: number
}

/** The queue's one error: Redis cannot be reached to queue a job, so the request answers 503. */
export const QUEUE_ERRORS = {
  E_QUEUE_UNAVAILABLE: {
    status: 503,
    page: 'pages/errors/unavailable',
    headers: { 'Retry-After': '60' },
    sentence: 'The job queue cannot be reached right now. Try again in a minute.',
  },
} satisfies ErrorCatalog

export class QueueUnavailableError extends FeatureError<'E_QUEUE_UNAVAILABLE'> {
  constructor(cause?: unknown) {
    super('E_QUEUE_UNAVAILABLE', QUEUE_ERRORS.E_QUEUE_UNAVAILABLE, undefined, { cause })
  }
}

/**
 * BullMQ behind one small class: one queue per job type (PeerTube's layout), typed
 * dispatch, and workers that drain on close. Everything else talks to this class only.
 */
export class QueueService {
  #queues = new Map<string, Queue>()
  #workers: Worker[] = []
  #options: QueueServiceOptions
  #logger: Logger
  #closing: Promise<void> | null = null
  #registry: JobRegistry
  #shutdown = new AbortController()

  constructor(options: QueueServiceOptions, logger: Logger) {
    this.#options = options
    this.#logger = logger
    this.#registry = options.registry
  }

  /** Adds a job; `jobId` makes the dispatch idempotent (BullMQ ignores a duplicate id). */
  async dispatch<K extends JobName>(
    name: K,
    payload: JobPayloads[K],
    options: { jobId?: string; delayMs?: number } = {}
  ) {
    const queue = this.queue(name)
    // Waiting for the connection first means a dispatch that timed out never lands later.
    await this.#withinTimeout(queue.waitUntilReady())
    try {
      const job = await this.#withinTimeout(
        queue.add(name, payload, {
          ...this.#registry.options[name].defaults,
          jobId: options.jobId,
          delay: options.delayMs,
        })
      )
      return job.id!
    } catch (error) {
      throw error instanceof QueueUnavailableError ? error : new QueueUnavailableError(error)
    }
  }

  async #withinTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new QueueUnavailableError()),
        this.#options.dispatchTimeoutMs ?? 3000
      )
    })
    try {
      return await Promise.race([work, timeout])
    } catch (error) {
      throw error instanceof QueueUnavailableError ? error : new QueueUnavailableError(error)
    } finally {
      clearTimeout(timer)
    }
  }

  queue(name: string) {
    let queue = this.#queues.get(name)
    if (!queue) {
      queue = new Queue(name, {
        connection: this.#options.producerConnection ?? this.#options.connection,
        prefix: this.#options.prefix,
      })
      queue.on('error', (error) => this.#logger.error({ err: error, queue: name }, 'queue error'))
      this.#queues.set(name, queue)
    }
    return queue
  }

  get isWorking() {
    return this.#workers.length > 0
  }

  /** Starts one worker per job type in this process and registers the schedules. */
  async startWorker() {
    if (this.#workers.length > 0) return
    for (const name of Object.keys(this.#registry.handlers)) {
      const worker = new Worker(name, (job, token) => this.#process(name, job, token), {
        connection: this.#options.connection,
        prefix: this.#options.prefix,
        concurrency: this.#registry.options[name].concurrency(this.#options.concurrency),
        lockDuration: this.#options.lockDurationMs ?? 120_000,
        stalledInterval: this.#options.stalledIntervalMs ?? 30_000,
        maxStalledCount: 2,
        autorun: true,
      })
      worker.on('failed', (job, error) =>
        this.#logger.warn({ queue: name, jobId: job?.id, err: error }, 'job failed')
      )
      worker.on('error', (error) => this.#logger.error({ err: error, queue: name }, 'worker error'))
      this.#workers.push(worker)
    }
    for (const schedule of this.#registry.schedules) {
      // On the worker's patient connection: a worker starting while Redis restarts waits for it.
      const scheduler = new Queue(schedule.name, {
        connection: this.#options.connection,
        prefix: this.#options.prefix,
      })
      try {
        await scheduler.upsertJobScheduler(
          schedule.name,
          { every: schedule.everyMs },
          { name: schedule.name, data: {}, opts: this.#registry.options[schedule.name].defaults }
        )
      } finally {
        await scheduler.close()
      }
    }
    this.#logger.info({ queues: Object.keys(this.#registry.handlers) }, 'job worker started')
  }

  async #process(name: string, job: Job, token?: string) {
    const { default: Handler } = await this.#registry.handlers[name]()
    const { default: app } = await import('@adonisjs/core/services/app')
    const handler = await app.container.make(Handler)
    this.#logger.debug({ queue: name, jobId: job.id, attempt: job.attemptsMade + 1 }, 'job started')
    try {
      await handler.handle(job.data, {
        jobId: job.id!,
        attempt: job.attemptsMade + 1,
        finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
        reportProgress: async (percent) => {
          await job.updateProgress(Math.max(0, Math.min(100, Math.round(percent))))
        },
        signal: this.#shutdown.signal,
      })
    } catch (error) {
      if (!this.#shutdown.signal.aborted) throw error
      // Stopped by the shutdown, not failed: back to the queue without using up an attempt.
      await job.moveToWait(token)
      this.#logger.info({ queue: name, jobId: job.id }, 'job handed back on shutdown')
      throw new WaitingError()
    }
  }

  /**
   * Stops taking new jobs, waits for running ones to finish (graceful drain on SIGTERM) or,
   * past `drainMs`, stops them and hands them back, then closes every Redis connection. Safe to
   * call more than once.
   */
  close() {
    if (!this.#closing) {
      this.#closing = (async () => {
        const handBack = setTimeout(() => this.#shutdown.abort(), this.#options.drainMs ?? 20_000)
        await Promise.all(this.#workers.map((worker) => worker.close())).finally(() =>
          clearTimeout(handBack)
        )
        await Promise.all([...this.#queues.values()].map((queue) => queue.close()))
        this.#workers = []
        this.#queues.clear()
      })().finally(() => {
        this.#closing = null
      })
    }
    return this.#closing
  }
}
