import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import S3rver from 's3rver'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import { BUCKETS, StorageService } from '#app/core/storage_service'

/**
 * Starts an s3rver (real S3 HTTP API with SigV4) on loopback, on a fresh directory.
 * Returns a function that stops it and removes its files.
 */
export async function startS3Server(port = env.get('S3_PORT')) {
  const directory = await mkdtemp(join(tmpdir(), 'athera-s3-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory,
    configureBuckets: [],
  })
  try {
    await server.run()
  } catch (error) {
    await rm(directory, { recursive: true, force: true })
    throw new Error(
      `The test S3 server cannot listen on 127.0.0.1:${port} (${(error as Error).message}). ` +
        'Stop whatever uses that port, or set S3_PORT in .env.test.'
    )
  }
  return async () => {
    await server.close()
    await rm(directory, { recursive: true, force: true })
  }
}

/** Empties the app's three buckets, so each test starts with no stored object. */
export async function emptyBuckets() {
  const storage = await app.container.make(StorageService)
  for (const bucket of BUCKETS) await storage.empty(bucket)
}
