import { FeatureError, defineErrors } from '#app/core/errors'

/**
 * clips/' refusals: why a failed clip was not sent back to the pipeline, and why a clip's
 * keypoints cannot be shown.
 */
export class ClipError extends FeatureError<ClipErrorCode> {}

export const clipErrors = defineErrors(ClipError, {
  E_NOT_RETRYABLE: {
    status: 409,
    sentence: ({ statusLabel }: { statusLabel: string }) =>
      `Only a failed clip can be processed again; this clip is "${statusLabel}". Nothing was changed.`,
  },
  E_QUEUE_UNAVAILABLE: {
    status: 503,
    page: 'pages/errors/unavailable',
    headers: { 'Retry-After': '60' },
    sentence:
      'The processing queue cannot be reached right now, so the clip stays failed. Try again in a minute.',
  },
  E_NO_KEYPOINTS: { status: 404, sentence: 'This clip has no keypoints yet.' },
})
export type ClipErrorCode = 'E_NOT_RETRYABLE' | 'E_QUEUE_UNAVAILABLE' | 'E_NO_KEYPOINTS'
