import type { ApplicationService } from '@adonisjs/core/types'
import type { EmbeddedS3 } from '#app/core/embedded_s3'

/**
 * `npm run dev` with S3_EMBEDDED=true: an S3 server for development in the web process, up
 * before the app makes its buckets (start/queue.ts, on ready) and closed on shutdown. The
 * dev server restarts the process (SIGKILL) on a full reload, which frees the port with it;
 * hot reloads of controllers and views do not run providers again.
 */
export default class EmbeddedS3Provider {
  #server: EmbeddedS3 | null = null

  constructor(protected app: ApplicationService) {}

  async start() {
    const { default: env } = await import('#start/env')
    if (!env.get('S3_EMBEDDED')) return
    const { EmbeddedS3 } = await import('#app/core/embedded_s3')
    this.#server = await EmbeddedS3.start({
      port: env.get('S3_PORT'),
      directory: this.app.tmpPath('s3'),
      accessKey: env.get('S3_ACCESS_KEY'),
      secretKey: env.get('S3_SECRET_KEY').release(),
      bucketPrefix: env.get('S3_BUCKET_PREFIX') ?? '',
    })
    const logger = await this.app.container.make('logger')
    logger.info(
      `embedded S3 server (development) on 127.0.0.1:${env.get('S3_PORT')}, objects in tmp/s3`
    )
  }

  async shutdown() {
    await this.#server?.close()
  }
}
