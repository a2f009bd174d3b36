import { FeatureError, defineErrors } from '#app/core/errors'

/** notices/' refusals, for the page or the API; the code goes to the log. */
export class NoticeError extends FeatureError<NoticeErrorCode> {}

export const noticeErrors = defineErrors(NoticeError, {
  E_NOTICE_NOT_FOUND: {
    status: 404,
    sentence: 'This withdrawal notice does not exist or is not yours.',
  },
})
export type NoticeErrorCode = 'E_NOTICE_NOT_FOUND'
