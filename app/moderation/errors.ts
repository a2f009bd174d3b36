import { FeatureError, defineErrors } from '#app/core/errors'

/*
 * moderation/'s refusals of a reviewer's redaction. The service returns them as values with
 * their sentence; the panel shows it with the code's status. Why a box, a range or a clip
 * cannot be used is worked out by the checks in redaction_checks.ts (`checkInput`,
 * `refusal`), which `why` quotes.
 */
export class RedactionError extends FeatureError<RedactionErrorCode> {}

export const redactionErrors = defineErrors(RedactionError, {
  E_INVALID_REDACTION: { status: 422, sentence: ({ why }: { why: string }) => why },
  E_NOT_REDACTABLE: { status: 409, sentence: ({ why }: { why: string }) => why },
  E_REDACTION_BUSY: {
    status: 409,
    /** `title` while another re-render of the clip runs; none when this one is running. */
    sentence: (params?: { title: string }) =>
      params
        ? `A re-render of “${params.title}” is already running; wait for it to finish, then draw the next box.`
        : 'The re-render is already running; it cannot be cancelled now. Draw a new box afterwards if needed.',
  },
  E_REDACTION_NOT_FOUND: {
    status: 404,
    sentence: (params?: { replaced: true }) =>
      params?.replaced
        ? 'This redaction was replaced or cancelled; draw the box again.'
        : 'There is no such redaction of this clip.',
  },
  E_QUEUE_UNAVAILABLE: {
    status: 503,
    sentence:
      'The job queue cannot be reached right now, so nothing was changed. Try again in a minute.',
  },
})
export type RedactionErrorCode =
  | 'E_INVALID_REDACTION'
  | 'E_NOT_REDACTABLE'
  | 'E_REDACTION_BUSY'
  | 'E_REDACTION_NOT_FOUND'
  | 'E_QUEUE_UNAVAILABLE'
