import type { BucketName } from '#app/core/storage_service'
import type Clip from '#models/clip'
import type ClipAsset from '#models/clip_asset'
import { exportErrors } from '#app/datasets/errors'
import {
  DELIVERED_BUCKETS,
  DELIVERED_KINDS,
  DELIVERED_PATH,
  deliveredPath,
  type DeliveredKind,
  type OutputBucket,
} from '#workers/pipeline/outputs'

/*
 * `dataset_versions.manifest` (format 1): the files of each clip a buyer receives, with their
 * storage keys, sizes and hashes. Publishing writes it (dataset_publisher.ts); downloads read
 * it back through parseManifest, which refuses anything it would be unsafe to serve. Which
 * files, from which buckets and under which paths: the outputs' contract, workers/pipeline/outputs.ts.
 */

/** The files of a clip a buyer receives, and where each goes in a download. Never `raw`. */
export const MANIFEST_FILES = Object.fromEntries(
  DELIVERED_KINDS.map((kind) => [kind, (clipId: string) => deliveredPath(kind, clipId)])
) as Record<DeliveredKind, (clipId: string) => string>
export type ManifestFileKind = DeliveredKind
export const MANIFEST_KINDS = DELIVERED_KINDS

export interface ManifestFile {
  kind: ManifestFileKind
  bucket: BucketName
  key: string
  bytes: number
  sha256: string
  path: string
}

export interface ManifestClip {
  id: string
  position: number
  seconds: number
  title: string
  sport: string
  activity: string | null
  skill_level: string | null
  camera_angle: string | null
  duration_ms: number
  files: ManifestFile[]
}

/** A clip's files in a manifest: each deliverable kind it has an asset of, where a download puts it. */
export function manifestFiles(
  clipId: string,
  assets: Pick<ClipAsset, 'kind' | 'bucket' | 'key' | 'bytes' | 'sha256'>[]
): ManifestFile[] {
  return MANIFEST_KINDS.flatMap((kind) => {
    const asset = assets.find((item) => item.kind === kind)
    if (!asset) return []
    return [
      {
        kind,
        bucket: asset.bucket as BucketName,
        key: asset.key,
        bytes: Number(asset.bytes),
        sha256: asset.sha256,
        path: MANIFEST_FILES[kind](clipId),
      },
    ]
  })
}

/** A clip's entry in a version's manifest, as publishing writes it (and the demo and tests too). */
export function manifestClip(
  clip: Pick<Clip, 'id' | 'title' | 'sport' | 'activity' | 'skillLevel' | 'cameraAngle'>,
  position: number,
  durationMs: number,
  files: ManifestFile[]
): ManifestClip {
  return {
    id: clip.id,
    position,
    seconds: durationMs / 1000,
    title: clip.title,
    sport: clip.sport,
    activity: clip.activity,
    skill_level: clip.skillLevel,
    camera_angle: clip.cameraAngle,
    duration_ms: durationMs,
    files,
  }
}

/** `dataset_versions.manifest` (format 1): what DOWNLOADS serves for a licence. */
export interface DatasetManifest {
  format: 1
  clips: ManifestClip[]
}

/**
 * The manifest with its keys in PostgreSQL's jsonb order (shorter keys first, then bytewise),
 * so `JSON.stringify` gives the same text before storage and after reading it back: the
 * `manifest_sha256` of a stored version can always be checked against its manifest.
 */
export function canonicalJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => canonicalJson(item)) as T
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort(
      (a, b) =>
        Buffer.byteLength(a) - Buffer.byteLength(b) ||
        Buffer.compare(Buffer.from(a), Buffer.from(b))
    )
    return Object.fromEntries(
      keys.map((key) => [key, canonicalJson((value as Record<string, unknown>)[key])])
    ) as T
  }
  return value
}

/** The manifest's file kinds (the outputs' contract owns the list). */
export const EXPORT_FILE_KINDS: readonly ManifestFileKind[] = MANIFEST_KINDS
export type ExportFileKind = ManifestFileKind

/** A manifest file once checked: only buckets a buyer may receive. */
export type ExportFile = ManifestFile & { bucket: OutputBucket }

export interface ExportClip extends Omit<ManifestClip, 'files'> {
  files: ExportFile[]
}

/** Reads `dataset_versions.manifest` (format 1), refusing anything it would be unsafe to serve. */
export function parseManifest(manifest: unknown): ExportClip[] {
  const fail = (why: string): never => {
    throw exportErrors.raise('E_MANIFEST_INVALID', undefined, { detail: why })
  }
  const value = manifest as { format?: unknown; clips?: unknown }
  if (!value || typeof value !== 'object' || value.format !== 1 || !Array.isArray(value.clips)) {
    fail('not a format 1 manifest')
  }
  const paths = new Set<string>()
  return (value.clips as Record<string, unknown>[]).map((clip, index) => {
    if (!clip || typeof clip.id !== 'string' || !Array.isArray(clip.files))
      fail(`clip #${index} has no id or files`)
    const files = (clip.files as Record<string, unknown>[]).map((file) => {
      const ok =
        file &&
        (EXPORT_FILE_KINDS as readonly unknown[]).includes(file.kind) &&
        (DELIVERED_BUCKETS as readonly unknown[]).includes(file.bucket) &&
        typeof file.key === 'string' &&
        file.key.length > 0 &&
        Number.isSafeInteger(file.bytes) &&
        (file.bytes as number) >= 0 &&
        typeof file.sha256 === 'string' &&
        /^[0-9a-f]{64}$/.test(file.sha256) &&
        typeof file.path === 'string' &&
        DELIVERED_PATH.test(file.path)
      if (!ok) fail(`clip ${clip.id as string} lists a file that is not a deliverable asset`)
      if (paths.has(file.path as string)) fail(`${file.path as string} is listed twice`)
      paths.add(file.path as string)
      return file as unknown as ExportFile
    })
    return {
      id: clip.id as string,
      position: Number(clip.position ?? index),
      seconds: Number(clip.seconds ?? 0),
      title: String(clip.title ?? ''),
      sport: String(clip.sport ?? ''),
      activity: (clip.activity as string | null) ?? null,
      skill_level: (clip.skill_level as string | null) ?? null,
      camera_angle: (clip.camera_angle as string | null) ?? null,
      duration_ms: Number(clip.duration_ms ?? 0),
      files,
    }
  })
}

/** What a clip is, as metadata.jsonl and the API describe it (no files, no storage keys). */
export function clipFacts(clip: ExportClip) {
  return {
    position: clip.position,
    title: clip.title,
    sport: clip.sport,
    activity: clip.activity,
    skill_level: clip.skill_level,
    camera_angle: clip.camera_angle,
    duration_ms: clip.duration_ms,
  }
}
