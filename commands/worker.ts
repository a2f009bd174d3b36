import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { QueueService } from '#app/core/queue_service'
import { StorageService } from '#app/core/storage_service'

/**
 * A worker-only process (ATHERA_ROLES=worker): same image, same code, no HTTP server.
 * Runs until SIGTERM, then finishes the jobs in hand before exiting.
 */
export default class Worker extends BaseCommand {
  static commandName = 'worker'
  static description = 'Run the job worker without the HTTP server (ATHERA_ROLES=worker)'
  static options: CommandOptions = {
    startApp: true,
    staysAlive: true,
  }

  async run() {
    const storage = await this.app.container.make(StorageService)
    await storage.ensureBuckets().catch((error) => {
      this.logger.warning(`object storage is not reachable yet: ${error.message}`)
    })
    const queue = await this.app.container.make(QueueService)
    await queue.startWorker()
    this.logger.info('worker started; SIGTERM drains running jobs and exits')
  }
}
