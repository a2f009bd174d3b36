import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Clip from '#models/clip'
import type ClipRedaction from '#models/clip_redaction'

/*
 * Whether a reviewer's redaction can be made: the drawn box and range against the published
 * video, and the clip against what may be re-rendered (its status, the dataset versions whose
 * manifest names its video). Each answer is a sentence in the admin's words, or null.
 * RedactionService asks on the web side, RedactionWorkService again when it publishes.
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

/** Why the box or range cannot be used, in the admin's words; null when they can. */
export function checkInput(input: RedactionInput, geometry: ClipGeometry | null): string | null {
  if (!geometry)
    return 'This clip’s metadata.json does not describe its video, so it cannot be redacted here.'
  const { width, height, frameCount, fps } = geometry
  if (input.width < MIN_BOX_SIDE || input.height < MIN_BOX_SIDE) {
    return `The box is too small: draw one at least ${MIN_BOX_SIDE} pixels wide and high.`
  }
  if (input.x + input.width > width || input.y + input.height > height) {
    return `The box goes outside the frame (${width}×${height}): draw it inside the video.`
  }
  if (input.frame >= frameCount)
    return `Frame ${input.frame} is past the end of the clip (${frameCount} frames).`
  if (input.start > input.end)
    return 'The range is empty: its first frame comes after its last. Move the start before the end.'
  if (input.end >= frameCount)
    return `The range ends after the clip does: its last frame is ${frameCount - 1}.`
  if (input.frame < input.start || input.frame > input.end) {
    return 'The range must include the frame the box was drawn on.'
  }
  const maxFrames = Math.round(MAX_RANGE_SECONDS * fps)
  if (input.end - input.start + 1 > maxFrames) {
    return `The range is longer than ${MAX_RANGE_SECONDS} seconds (${maxFrames} frames): redact a longer stretch in several parts.`
  }
  return null
}

/** Why the clip's video cannot be re-rendered now; null when it can. */
export function refusal(clip: Clip, inDatasets: number): string | null {
  const title = `“${clip.title}”`
  if (!(REDACTABLE_STATUSES as readonly string[]).includes(clip.status)) {
    return `${title} is ${clip.status}: only a clip awaiting review or approved can be redacted.`
  }
  // A published version's manifest names the video's hash and key: changing it in place would
  // break what buyers were sold. A miss there is for the creator's withdrawal.
  if (inDatasets > 0) {
    return `${title} is in ${inDatasets} dataset version${inDatasets === 1 ? '' : 's'} whose manifest names its video, so it cannot be re-rendered; its creator can withdraw it.`
  }
  return null
}

export function noGeometry(clip: Clip) {
  return `“${clip.title}” has no readable metadata.json describing its video, so it cannot be redacted here.`
}

export function notTracked(redaction: ClipRedaction) {
  switch (redaction.status) {
    case 'tracking':
      return 'The box is still being followed through its range; re-render once the tracked boxes are shown.'
    case 'done':
      return 'This redaction is already in the video.'
    default:
      return 'This redaction failed; draw the box again.'
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

/** The clip locked for the change, or the sentence saying why it cannot take one. */
export async function lockRedactable(
  trx: TransactionClientContract,
  clipId: string,
  geometry: ClipGeometry | null
): Promise<Clip | string> {
  const clip = await Clip.query({ client: trx }).where('id', clipId).forUpdate().firstOrFail()
  return (
    refusal(clip, await datasetVersionCount(clip.id, trx)) ?? (geometry ? clip : noGeometry(clip))
  )
}
