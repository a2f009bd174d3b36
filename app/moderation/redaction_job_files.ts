import { createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { pipeline as streamPipeline } from 'node:stream/promises'
import ClipAsset, { type ClipAssetKind } from '#models/clip_asset'
import type { StorageService } from '#app/core/storage_service'
import { digestFile } from '#workers/pipeline/files'
import { PipelineError } from '#workers/pipeline/types'

/*
 * What the redaction jobs read of a clip's stored files: a file copied into the work folder,
 * and the published video's geometry from its metadata.json. A missing or unreadable one is a
 * PipelineError, whose sentence the redaction keeps when it fails.
 */

/** The clip's stored `kind` at `path`; a copy left there by an earlier attempt is reused if intact. */
export async function fetchClipFile(
  storage: StorageService,
  clipId: string,
  kind: ClipAssetKind,
  path: string
) {
  const asset = await ClipAsset.query().where('clip_id', clipId).where('kind', kind).first()
  if (!asset)
    throw new PipelineError(
      'E_INPUT_UNREADABLE',
      'probe',
      `The clip’s ${kind} file is not stored, so it cannot be redacted.`
    )
  const present = await stat(path).catch(() => null)
  if (present?.size === Number(asset.bytes)) {
    const { sha256 } = await digestFile(path)
    if (sha256 === asset.sha256) return path
  }
  await streamPipeline(await storage.getStream(asset.bucket, asset.key), createWriteStream(path))
  return path
}

/** The published video's size and rate, from the clip's metadata.json. */
export async function videoGeometry(storage: StorageService, clipId: string) {
  const asset = await ClipAsset.query()
    .where('clip_id', clipId)
    .where('kind', 'metadata')
    .firstOrFail()
  const chunks: Buffer[] = []
  for await (const chunk of await storage.getStream(asset.bucket, asset.key))
    chunks.push(chunk as Buffer)
  const output = JSON.parse(Buffer.concat(chunks).toString('utf8')).output ?? {}
  if (
    ![output.width, output.height, output.fps].every((value) => Number.isFinite(value) && value > 0)
  ) {
    throw new PipelineError(
      'E_INPUT_UNREADABLE',
      'probe',
      'The clip’s metadata.json does not describe its video.'
    )
  }
  return { width: Number(output.width), height: Number(output.height), fps: Number(output.fps) }
}
