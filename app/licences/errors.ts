import { FeatureError, defineErrors } from '#app/core/errors'

/** licences/' refusals about licence texts: the page shows the sentence, the log keeps the code. */
export class LicenceTextError extends FeatureError<LicenceTextErrorCode> {}

export const licenceTextErrors = defineErrors(LicenceTextError, {
  E_NO_LICENCE_TEXT: {
    status: 503,
    sentence: ({ type }: { type: string }) =>
      `No ${type} licence text is published, so ${type} datasets cannot be licensed; an administrator must publish one.`,
  },
  E_NOT_FOUND: { status: 404, sentence: 'This licence text version does not exist.' },
})
export type LicenceTextErrorCode = 'E_NO_LICENCE_TEXT' | 'E_NOT_FOUND'
