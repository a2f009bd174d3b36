import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Clip from '#models/clip'
import type ClipRedaction from '#models/clip_redaction'

/*
 * Whether a reviewer's redaction can be made: the drawn box and range against the published
 * video, and the clip against what may be re-rendered (its status, the dataset versions whose
 * manifest names its video). Each answer is a refusal by code with what its sentence names
 * (moderation/errors.ts words it), or null. RedactionService asks on the web side,
 * RedactionWorkService again when it publishes.
 */

/** Statuses whose video a reviewer may re-render: awaiting review, or approved. */
export const REDACTABLE_STATUSES = ['processed', 'approved'] as const

/** The longest range one redaction follows its box over (the tracker keeps its frames in memory). */
export const MAX_RANGE_SECONDS = 10
/** A smaller box is a slip of the mouse, not a region. */
export const MIN_BOX_SIDE = 8

/** The published video's frame: what boxes and ranges are checked against. */
export interface ClipGeometry {
  width: number
  height: number
  fps: number
  frameCount: number
}

export interface RedactionInput {
  frame: number
  x: number
  y: number
  width: number
  height: number
  start: number
  end: number
}

/** Why the drawn box or range cannot be used (422), with the numbers its sentence names. */
export type InputProblem =
  | { code: 'E_NO_VIDEO_GEOMETRY' }
  | { code: 'E_BOX_TOO_SMALL'; minSide: number }
  | { code: 'E_BOX_OUTSIDE_FRAME'; width: number; height: number }
  | { code: 'E_FRAME_PAST_END'; frame: number; frameCount: number }
  | { code: 'E_RANGE_EMPTY' }
  | { code: 'E_RANGE_PAST_END'; lastFrame: number }
  | { code: 'E_RANGE_MISSES_FRAME' }
  | { code: 'E_RANGE_TOO_LONG'; seconds: number; maxFrames: number }

/** Why the clip's video cannot be re-rendered now (409). */
export type ClipProblem =
  | { code: 'E_STATUS_NOT_REDACTABLE'; title: string; status: string }
  | { code: 'E_IN_DATASET_VERSIONS'; title: string; versions: number }
  | { code: 'E_NO_METADATA'; title: string }

/** Why this redaction cannot be re-rendered (409): it is not tracked. */
export type NotTrackedProblem =
  { code: 'E_STILL_TRACKING' } | { code: 'E_ALREADY_RENDERED' } | { code: 'E_REDACTION_FAILED' }

/** Why the box or range cannot be used; null when they can. */
export function checkInput(
  input: RedactionInput,
  geometry: ClipGeometry | null
): InputProblem | null {
  if (!geometry) return { code: 'E_NO_VIDEO_GEOMETRY' }
  const { width, height, frameCount, fps } = geometry
  if (input.width < MIN_BOX_SIDE || input.height < MIN_BOX_SIDE) {
    return { code: 'E_BOX_TOO_SMALL', minSide: MIN_BOX_SIDE }
  }
  if (input.x + input.width > width || input.y + input.height > height) {
    return { code: 'E_BOX_OUTSIDE_FRAME', width, height }
  }
  if (input.frame >= frameCount) return { code: 'E_FRAME_PAST_END', frame: input.frame, frameCount }
  if (input.start > input.end) return { code: 'E_RANGE_EMPTY' }
  if (input.end >= frameCount) return { code: 'E_RANGE_PAST_END', lastFrame: frameCount - 1 }
  if (input.frame < input.start || input.frame > input.end) {
    return { code: 'E_RANGE_MISSES_FRAME' }
  }
  const maxFrames = Math.round(MAX_RANGE_SECONDS * fps)
  if (input.end - input.start + 1 > maxFrames) {
    return { code: 'E_RANGE_TOO_LONG', seconds: MAX_RANGE_SECONDS, maxFrames }
  }
  return null
}

/** Why the clip's video cannot be re-rendered now; null when it can. */
export function refusal(clip: Clip, inDatasets: number): ClipProblem | null {
  if (!(REDACTABLE_STATUSES as readonly string[]).includes(clip.status)) {
    return { code: 'E_STATUS_NOT_REDACTABLE', title: clip.title, status: clip.status }
  }
  // A published version's manifest names the video's hash and key: changing it in place would
  // break what buyers were sold. A miss there is for the creator's withdrawal.
  if (inDatasets > 0) {
    return { code: 'E_IN_DATASET_VERSIONS', title: clip.title, versions: inDatasets }
  }
  return null
}

export function noGeometry(clip: Clip): ClipProblem {
  return { code: 'E_NO_METADATA', title: clip.title }
}

export function notTracked(redaction: ClipRedaction): NotTrackedProblem {
  switch (redaction.status) {
    case 'tracking':
      return { code: 'E_STILL_TRACKING' }
    case 'done':
      return { code: 'E_ALREADY_RENDERED' }
    default:
      return { code: 'E_REDACTION_FAILED' }
  }
}

export function datasetVersionCount(clipId: string, trx?: TransactionClientContract) {
  return (trx ?? db)
    .from('dataset_version_clips')
    .where('clip_id', clipId)
    .count('* as count')
    .first()
    .then((row) => Number(row?.count ?? 0))
}

/** The clip locked for the change, or the refusal saying why it cannot take one. */
export async function lockRedactable(
  trx: TransactionClientContract,
  clipId: string,
  geometry: ClipGeometry | null
): Promise<Clip | ClipProblem> {
  const clip = await Clip.query({ client: trx }).where('id', clipId).forUpdate().firstOrFail()
  return (
    refusal(clip, await datasetVersionCount(clip.id, trx)) ?? (geometry ? clip : noGeometry(clip))
  )
}
