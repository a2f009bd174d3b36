import type { ApplicationService } from '@adonisjs/core/types'
import { QueueService } from '#app/core/queue_service'
import { registry } from '#jobs/registry'
import { StorageService } from '#app/core/storage_service'
import { VisionService } from '#app/processing/vision_service'

/**
 * Registers the appliance's long-lived services (queue, storage) as singletons and
 * closes them when the process terminates, so SIGTERM drains running jobs first.
 */
export default class AtheraProvider {
  #queue: QueueService | null = null

  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton(QueueService, async (resolver) => {
      const config = this.app.config.get<typeof import('#config/athera').default>('athera')
      const redis = this.app.config.get<any>('redis').connections.main
      const logger = await resolver.make('logger')
      this.#queue = new QueueService(
        {
          connection: {
            host: redis.host,
            port: redis.port,
            password: redis.password || undefined,
            db: redis.db,
            // BullMQ's blocking connections must retry forever, not fail the worker.
            maxRetriesPerRequest: null,
          },
          // Requests that queue a job fail fast (503) while Redis is down, instead of hanging.
          producerConnection: {
            host: redis.host,
            port: redis.port,
            password: redis.password || undefined,
            db: redis.db,
            maxRetriesPerRequest: 1,
            enableOfflineQueue: false,
            connectTimeout: 2000,
            retryStrategy: (times: number) => Math.min(times * 200, 2000),
          },
          prefix: config.queue.prefix,
          concurrency: config.queue.concurrency,
          lockDurationMs: config.queue.lockDurationMs,
          stalledIntervalMs: config.queue.stalledIntervalMs,
          drainMs: config.queue.drainMs,
          registry,
        },
        logger
      )
      return this.#queue
    })

    this.app.container.singleton(StorageService, async (resolver) => {
      const config = this.app.config.get<typeof import('#config/athera').default>('athera')
      const logger = await resolver.make('logger')
      return new StorageService(config.storage, logger)
    })
  }

  /**
   * SIGTERM: no new jobs, the running one finished or handed back, then the vision thread
   * stopped (a live worker thread keeps the process from exiting). Lucid and Redis close their
   * own connections in their providers' shutdown.
   */
  async shutdown() {
    await this.#queue?.close()
    await VisionService.close()
  }
}
