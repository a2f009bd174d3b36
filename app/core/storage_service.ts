import { Client, type ItemBucketMetadata } from 'minio'
import { createReadStream } from 'node:fs'
import { stat as statFile } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import type { Logger } from '@adonisjs/core/logger'
import type { AssetBucket } from '#models/clip_asset'
import { CLIP_OUTPUTS, type OutputKind } from '#workers/pipeline/outputs'

/**
 * The three private buckets of docs/architecture.md, "Storage". Their names are the asset
 * rows' column type; the record below fails to compile if the two lists ever differ.
 */
export type BucketName = AssetBucket
const BUCKET_SET: Record<BucketName, true> = { raw: true, processed: true, previews: true }
export const BUCKETS = Object.keys(BUCKET_SET) as readonly BucketName[]

/**
 * The bucket a clip's output is stored in, from the outputs' contract (workers/pipeline/
 * outputs.ts, where names are plain strings): a bucket named there that is not one of these
 * fails to compile here.
 */
export function outputBucket(kind: OutputKind): BucketName {
  return CLIP_OUTPUTS[kind].bucket
}

export interface StorageOptions {
  endPoint: string
  port: number
  useSSL: boolean
  accessKey: string
  secretKey: string
  region: string
  /** Base URL browsers use to reach S3 (e.g. https://media.club.example), when it differs. */
  publicUrl?: string
  serverSideEncryption: boolean
  bucketPrefix: string
  presignTtlSeconds: number
  /** Objects larger than this go up as multipart uploads, in parts of this size. */
  partSize?: number
}

/** S3's smallest part but the last is 5 MiB; 16 MiB keeps a 4 GB file at 256 parts. */
export const DEFAULT_PART_SIZE = 16 * 1024 * 1024

/**
 * Object storage over the `minio` client. Buckets are private; every read by a browser goes
 * through a presigned URL with a short lifetime. Keys are built from ids by callers, never
 * from user-supplied names.
 */
export class StorageService {
  #client: Client
  #signer: Client
  #options: StorageOptions
  #logger: Logger
  #ready: Promise<void> | null = null

  constructor(options: StorageOptions, logger: Logger) {
    this.#options = options
    this.#logger = logger
    this.#client = new Client({
      endPoint: options.endPoint,
      port: options.port,
      useSSL: options.useSSL,
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: options.region,
      // MinIO behind compose has no wildcard DNS: virtual-host addressing would break.
      pathStyle: true,
      partSize: options.partSize,
    })
    this.#signer = options.publicUrl ? this.#clientFor(options.publicUrl) : this.#client
  }

  #clientFor(publicUrl: string) {
    const url = new URL(publicUrl)
    const useSSL = url.protocol === 'https:'
    return new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey: this.#options.accessKey,
      secretKey: this.#options.secretKey,
      // With the region known, signing is local: no request reaches the public endpoint.
      region: this.#options.region,
      pathStyle: true,
    })
  }

  /** Physical bucket name, with the instance prefix (several instances can share one S3). */
  bucket(name: BucketName) {
    return `${this.#options.bucketPrefix}${name}`
  }

  /** Creates the buckets that are missing (private, encrypted when configured). Memoized. */
  ensureBuckets() {
    if (!this.#ready) {
      this.#ready = this.#createBuckets().catch((error) => {
        this.#ready = null
        throw error
      })
    }
    return this.#ready
  }

  async #createBuckets() {
    for (const name of BUCKETS) {
      const bucket = this.bucket(name)
      if (!(await this.#client.bucketExists(bucket))) {
        await this.#client.makeBucket(bucket, this.#options.region)
        this.#logger.info({ bucket }, 'created bucket')
      }
      if (this.#options.serverSideEncryption) {
        await this.#client.setBucketEncryption(bucket, {
          Rule: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        })
      }
    }
  }

  /** Streams an object in; `size` unknown means a multipart upload in parts of `partSize`. */
  async putStream(
    bucket: BucketName,
    key: string,
    body: Readable | Buffer | string,
    size?: number,
    metadata: ItemBucketMetadata = {}
  ) {
    await this.ensureBuckets()
    return this.#client.putObject(this.bucket(bucket), key, body, size, metadata)
  }

  /**
   * Uploads a local file. Files larger than one part go up as an S3 multipart upload driven
   * here (create, one part at a time, complete; abort on failure), so memory holds one part
   * at most and no ListMultipartUploads call is needed (the minio client's own streaming
   * put makes one, which s3rver lacks). Returns the object's size and how many parts it took.
   */
  async putFile(
    bucket: BucketName,
    key: string,
    path: string,
    contentType: string,
    meta: Record<string, string> = {}
  ) {
    await this.ensureBuckets()
    const { size } = await statFile(path)
    const partSize = this.#options.partSize ?? DEFAULT_PART_SIZE
    // User metadata (x-amz-meta-*) travels with the object: a re-run compares hashes cheaply.
    const headers: Record<string, string> = { 'Content-Type': contentType }
    for (const [name, value] of Object.entries(meta)) headers[`x-amz-meta-${name}`] = value
    if (size <= partSize) {
      await this.#client.putObject(this.bucket(bucket), key, createReadStream(path), size, headers)
      return { size, parts: 1 }
    }

    const bucketName = this.bucket(bucket)
    const uploadId = await this.#client.initiateNewMultipartUpload(bucketName, key, headers)
    try {
      const etags: { part: number; etag: string }[] = []
      let partNumber = 1
      for await (const part of readParts(path, partSize)) {
        const result = await this.#client.uploadPart(
          { bucketName, objectName: key, uploadID: uploadId, partNumber, headers: {} },
          part
        )
        etags.push({ part: partNumber, etag: result.etag })
        partNumber++
      }
      await this.#client.completeMultipartUpload(bucketName, key, uploadId, etags)
      return { size, parts: etags.length }
    } catch (error) {
      await this.#client.abortMultipartUpload(bucketName, key, uploadId).catch(() => {})
      throw error
    }
  }

  async getStream(bucket: BucketName, key: string, range?: { offset: number; length?: number }) {
    await this.ensureBuckets()
    if (range) {
      return this.#client.getPartialObject(this.bucket(bucket), key, range.offset, range.length)
    }
    return this.#client.getObject(this.bucket(bucket), key)
  }

  async stat(bucket: BucketName, key: string) {
    try {
      return await this.#client.statObject(this.bucket(bucket), key)
    } catch (error) {
      if ((error as { code?: string }).code === 'NotFound') return null
      throw error
    }
  }

  async remove(bucket: BucketName, key: string) {
    await this.#client.removeObject(this.bucket(bucket), key)
  }

  /** Keys under a prefix (operators' checks and tests: nothing may be left unreferenced). */
  async list(bucket: BucketName, prefix = '') {
    await this.ensureBuckets()
    const keys: string[] = []
    for await (const item of this.#client.listObjectsV2(this.bucket(bucket), prefix, true)) {
      if (item.name) keys.push(item.name)
    }
    return keys
  }

  /** Objects under a prefix with their size and age (the sweeper's view). */
  async listDetailed(bucket: BucketName, prefix = '') {
    await this.ensureBuckets()
    const objects: { key: string; bytes: number; lastModified: Date }[] = []
    for await (const item of this.#client.listObjectsV2(this.bucket(bucket), prefix, true)) {
      if (item.name)
        objects.push({
          key: item.name,
          bytes: Number(item.size ?? 0),
          lastModified: new Date(item.lastModified ?? 0),
        })
    }
    return objects
  }

  /** A GET URL valid for `ttlSeconds`; `downloadName` sets Content-Disposition. */
  presignedGet(bucket: BucketName, key: string, ttlSeconds?: number, downloadName?: string) {
    const headers = downloadName
      ? {
          'response-content-disposition': `attachment; filename="${downloadName.replace(/"/g, '')}"`,
        }
      : undefined
    return this.#signer.presignedGetObject(
      this.bucket(bucket),
      key,
      ttlSeconds ?? this.#options.presignTtlSeconds,
      headers
    )
  }

  /** A PUT URL valid for `ttlSeconds`, for clients that upload straight to S3. */
  presignedPut(bucket: BucketName, key: string, ttlSeconds?: number) {
    return this.#signer.presignedPutObject(
      this.bucket(bucket),
      key,
      ttlSeconds ?? this.#options.presignTtlSeconds
    )
  }

  /** Deletes every object of a bucket (tests, and an operator resetting a demo instance). */
  async empty(bucket: BucketName) {
    for (const key of await this.list(bucket)) await this.remove(bucket, key)
  }

  /** Readiness probe: S3 answers and the buckets exist. */
  async ping() {
    for (const name of BUCKETS) {
      if (!(await this.#client.bucketExists(this.bucket(name)))) {
        throw new Error(`bucket "${this.bucket(name)}" is missing`)
      }
    }
  }
}

/** Reads a file as consecutive buffers of `partSize` bytes (the last one shorter). */
async function* readParts(path: string, partSize: number) {
  let pending: Buffer[] = []
  let pendingBytes = 0
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    let data = chunk as Buffer
    while (pendingBytes + data.length >= partSize) {
      const take = partSize - pendingBytes
      pending.push(data.subarray(0, take))
      yield Buffer.concat(pending)
      pending = []
      pendingBytes = 0
      data = data.subarray(take)
    }
    if (data.length > 0) {
      pending.push(data)
      pendingBytes += data.length
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending)
}

/** Asset rows hold the logical name; a row written with the physical (prefixed) name is mapped back. */
export function logicalBucket(stored: string, storage: StorageService): BucketName {
  if ((BUCKETS as readonly string[]).includes(stored)) return stored as BucketName
  const match = BUCKETS.find((name) => storage.bucket(name) === stored)
  if (!match)
    throw new Error(
      `E_UNKNOWN_BUCKET: asset bucket "${stored}" is not one of ${BUCKETS.join(', ')}`
    )
  return match
}

/** S3's answer that an object or bucket is not there: what a delete wanted anyway. */
export function isNotFound(error: unknown) {
  const code = (error as { code?: string }).code
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket'
}
