import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import app from '@adonisjs/core/services/app'
import Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import type User from '#models/user'
import { StorageService } from '#app/core/storage_service'
import { ConsentRecordFactory } from '#database/factories/consent_record_factory'

/**
 * An accepted upload as the upload service leaves it: the original in the raw bucket, a
 * clip `uploaded` and its raw asset. Skips the HTTP transfer, which uploads/*.spec.ts covers.
 */
export async function uploadedClip(creator: User, path: string, fields: Partial<Clip> = {}) {
  const data = await readFile(path)
  const grant = await ConsentRecordFactory.merge({ userId: creator.id }).create()
  const clip = new Clip()
  clip.fill({
    userId: creator.id,
    consentRecordId: grant.id,
    title: basename(path),
    sport: 'football',
    status: 'uploaded',
    progress: 0,
    originalFilename: basename(path),
    contentType: 'video/mp4',
    bytes: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    tags: [],
    ...fields,
  })
  Clip.assignIdAndDefaults(clip)
  const key = `clips/${clip.id}/original`
  const storage = await app.container.make(StorageService)
  await storage.putFile('raw', key, path, 'video/mp4')
  await clip.save()
  await ClipAsset.create({
    clipId: clip.id,
    kind: 'raw',
    bucket: 'raw',
    key,
    bytes: data.length,
    sha256: clip.sha256!,
    contentType: 'video/mp4',
  })
  return { clip, grant }
}
