/*
 * Boot of the in-process job worker. Called by bin/server.ts once the HTTP server is ready,
 * and never by ace commands: `node ace codegen` boots the app in the web environment too,
 * and must not start a worker or touch S3.
 */
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import config from '#config/athera'
import { QueueService } from '#app/core/queue_service'
import { StorageService } from '#app/core/storage_service'

export async function bootProcessRoles() {
  const storage = await app.container.make(StorageService)
  storage.ensureBuckets().catch((error) => {
    logger.warn({ err: error }, 'object storage is not reachable yet; /readyz reports it')
  })

  // First boot: the first-run page needs the token this prints (docker compose logs app | grep setup).
  const { AccountService } = await import('#app/accounts/account_service')
  const { SetupTokenService } = await import('#app/instance/setup_token_service')
  const needsAdmin = await new AccountService().needsFirstAdmin().catch((error) => {
    logger.warn(
      { err: error },
      'setup: could not check for an administrator; restart to get a setup token'
    )
    return false
  })
  if (needsAdmin) {
    await new SetupTokenService().announce().catch((error) => {
      logger.warn(
        { err: error },
        'setup: the setup token could not be stored; restart once Redis answers'
      )
    })
  }

  if (config.roles.includes('worker')) {
    const queue = await app.container.make(QueueService)
    await queue.startWorker()
  }
}
