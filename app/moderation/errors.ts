import { FeatureError, defineErrors } from '#app/core/errors'
import type { BulkRefusal, DecisionRefusal } from '#app/moderation/moderation_decisions'
import type { RedactionRefusal } from '#app/moderation/redaction_service'

/*
 * moderation/'s refusals: a reviewer's redaction, a decision on a clip, and the review page's
 * blurred regions. The services return the first two as values (`{ ok: false, code, … }`, what
 * the sentence names); the controllers word them with `describe`. Sentences live here only.
 */

type Refusal<Result, Code> = Extract<Result, { code: Code }>

/**
 * Why a redaction was not recorded, re-rendered or dropped. The drawn box and range are
 * checked against the clip (422), the clip and the redaction against what may be re-rendered
 * (409): redaction_checks.ts.
 */
export class RedactionError extends FeatureError<RedactionErrorCode> {}
export type RedactionErrorCode = RedactionRefusal['code']

export const redactionErrors = defineErrors(RedactionError, {
  E_NO_VIDEO_GEOMETRY: {
    status: 422,
    sentence:
      'This clip’s metadata.json does not describe its video, so it cannot be redacted here.',
  },
  E_BOX_TOO_SMALL: {
    status: 422,
    sentence: ({ minSide }: Refusal<RedactionRefusal, 'E_BOX_TOO_SMALL'>) =>
      `The box is too small: draw one at least ${minSide} pixels wide and high.`,
  },
  E_BOX_OUTSIDE_FRAME: {
    status: 422,
    sentence: ({ width, height }: Refusal<RedactionRefusal, 'E_BOX_OUTSIDE_FRAME'>) =>
      `The box goes outside the frame (${width}×${height}): draw it inside the video.`,
  },
  E_FRAME_PAST_END: {
    status: 422,
    sentence: ({ frame, frameCount }: Refusal<RedactionRefusal, 'E_FRAME_PAST_END'>) =>
      `Frame ${frame} is past the end of the clip (${frameCount} frames).`,
  },
  E_RANGE_EMPTY: {
    status: 422,
    sentence:
      'The range is empty: its first frame comes after its last. Move the start before the end.',
  },
  E_RANGE_PAST_END: {
    status: 422,
    sentence: ({ lastFrame }: Refusal<RedactionRefusal, 'E_RANGE_PAST_END'>) =>
      `The range ends after the clip does: its last frame is ${lastFrame}.`,
  },
  E_RANGE_MISSES_FRAME: {
    status: 422,
    sentence: 'The range must include the frame the box was drawn on.',
  },
  E_RANGE_TOO_LONG: {
    status: 422,
    sentence: ({ seconds, maxFrames }: Refusal<RedactionRefusal, 'E_RANGE_TOO_LONG'>) =>
      `The range is longer than ${seconds} seconds (${maxFrames} frames): redact a longer stretch in several parts.`,
  },
  E_STATUS_NOT_REDACTABLE: {
    status: 409,
    sentence: ({ title, status }: Refusal<RedactionRefusal, 'E_STATUS_NOT_REDACTABLE'>) =>
      `“${title}” is ${status}: only a clip awaiting review or approved can be redacted.`,
  },
  E_IN_DATASET_VERSIONS: {
    status: 409,
    sentence: ({ title, versions }: Refusal<RedactionRefusal, 'E_IN_DATASET_VERSIONS'>) =>
      `“${title}” is in ${versions} dataset version${versions === 1 ? '' : 's'} whose manifest names its video, so it cannot be re-rendered; its creator can withdraw it.`,
  },
  E_NO_METADATA: {
    status: 409,
    sentence: ({ title }: Refusal<RedactionRefusal, 'E_NO_METADATA'>) =>
      `“${title}” has no readable metadata.json describing its video, so it cannot be redacted here.`,
  },
  E_STILL_TRACKING: {
    status: 409,
    sentence:
      'The box is still being followed through its range; re-render once the tracked boxes are shown.',
  },
  E_ALREADY_RENDERED: { status: 409, sentence: 'This redaction is already in the video.' },
  E_REDACTION_FAILED: { status: 409, sentence: 'This redaction failed; draw the box again.' },
  E_REDACTION_BUSY: {
    status: 409,
    /** `title` while another re-render of the clip runs; none when this one is running. */
    sentence: ({ title }: Refusal<RedactionRefusal, 'E_REDACTION_BUSY'>) =>
      title
        ? `A re-render of “${title}” is already running; wait for it to finish, then draw the next box.`
        : 'The re-render is already running; it cannot be cancelled now. Draw a new box afterwards if needed.',
  },
  E_REDACTION_NOT_FOUND: {
    status: 404,
    sentence: ({ replaced }: Refusal<RedactionRefusal, 'E_REDACTION_NOT_FOUND'>) =>
      replaced
        ? 'This redaction was replaced or cancelled; draw the box again.'
        : 'There is no such redaction of this clip.',
  },
  E_QUEUE_UNAVAILABLE: {
    status: 503,
    sentence:
      'The job queue cannot be reached right now, so nothing was changed. Try again in a minute.',
  },
})

/**
 * Why a reviewer's decision was not taken on a clip (moderation_decisions.ts): its status, or,
 * in a bulk decision, clips that are gone. The controller flashes the sentence.
 */
export class DecisionError extends FeatureError<BulkRefusal['code']> {}

export const decisionErrors = defineErrors(DecisionError, {
  E_NOT_PROCESSED_YET: {
    status: 409,
    sentence: ({ title }: DecisionRefusal) =>
      `“${title}” has not been processed yet; it can be reviewed once processing has finished.`,
  },
  E_STILL_PROCESSING: {
    status: 409,
    sentence: ({ title }: DecisionRefusal) =>
      `“${title}” is still being processed; it can be reviewed once processing has finished.`,
  },
  E_ALREADY_APPROVED: {
    status: 409,
    sentence: ({ title }: DecisionRefusal) => `“${title}” is already approved.`,
  },
  E_APPROVED_FOR_GOOD: {
    status: 409,
    sentence: ({ title }: DecisionRefusal) =>
      `“${title}” is already approved and may be in sold dataset versions: it is not rejected afterwards (its creator can withdraw it).`,
  },
  E_ALREADY_REJECTED: {
    status: 409,
    sentence: ({ title }: DecisionRefusal) => `“${title}” is already rejected.`,
  },
  E_FAILED_PROCESSING: {
    status: 409,
    sentence: ({ title }: DecisionRefusal) =>
      `“${title}” failed processing; only a processed clip can be reviewed.`,
  },
  E_WITHDRAWN: {
    status: 409,
    sentence: ({ title }: DecisionRefusal) =>
      `“${title}” was withdrawn by its creator and can no longer be reviewed.`,
  },
  E_CLIPS_GONE: {
    status: 404,
    sentence: ({ missing }: Refusal<BulkRefusal, 'E_CLIPS_GONE'>) =>
      `${missing} of the selected clips no longer exist.`,
  },
})

/** What the review page cannot show. */
export class ReviewError extends FeatureError<'E_NO_REGIONS'> {}

export const reviewErrors = defineErrors(ReviewError, {
  E_NO_REGIONS: {
    status: 404,
    sentence: 'This clip was processed before blurred regions were recorded.',
  },
})
