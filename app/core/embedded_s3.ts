import { mkdir } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import { BUCKETS } from '#app/core/storage_service'

export interface EmbeddedS3Options {
  port: number
  /** Where the objects are kept between runs (tmp/s3 in the app folder). */
  directory: string
  accessKey: string
  secretKey: string
  bucketPrefix: string
}

/**
 * An S3 server for development (`npm run dev` and `node ace setup` with S3_EMBEDDED=true):
 * s3rver on loopback, its objects in a folder, the app's buckets made up front. s3rver is a
 * development dependency, loaded only here, so a production install never needs it.
 */
export class EmbeddedS3 {
  #http: Server

  private constructor(http: Server) {
    this.#http = http
  }

  /** Starts the server; a taken port is an error that says what to do. */
  static async start(options: EmbeddedS3Options) {
    const { default: S3rverServer } = await import('s3rver')
    allowAccessKey(options.accessKey, options.secretKey)
    await mkdir(options.directory, { recursive: true })
    const s3 = new S3rverServer({
      silent: true,
      directory: options.directory,
      configureBuckets: BUCKETS.map((name) => ({
        name: `${options.bucketPrefix}${name}`,
        configs: [],
      })),
    })
    // Our own HTTP server around s3rver's handler: s3rver's run() never settles when the port is taken.
    const http = createServer(s3.callback())
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject)
      http.listen(options.port, '127.0.0.1', () => {
        http.off('error', reject)
        resolve()
      })
    }).catch((error: NodeJS.ErrnoException) => {
      throw new Error(
        error.code === 'EADDRINUSE'
          ? `The embedded S3 server cannot listen on 127.0.0.1:${options.port}: the port is in use (another npm run dev?). Stop what listens there, or set S3_PORT in .env to a free port.`
          : `The embedded S3 server could not start on 127.0.0.1:${options.port}: ${error.message}`
      )
    })
    // After the port is ours: a refused start leaves no folders behind. Nothing is served before this returns.
    await s3.configureBuckets()
    return new EmbeddedS3(http)
  }

  async close() {
    this.#http.closeAllConnections()
    await new Promise<void>((resolve) => this.#http.close(() => resolve()))
  }
}

/**
 * s3rver knows one access key (S3RVER) and does not verify SigV4 signatures, so the secret is
 * never checked: only loopback keeps others out, which is why this is for development only.
 * The app's own access key is made known to it, so .env says what is used.
 */
function allowAccessKey(accessKey: string, secretKey: string) {
  const require = createRequire(import.meta.url)
  const account = require('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void }
  }
  account.DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey)
}
