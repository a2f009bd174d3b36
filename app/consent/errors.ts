import { FeatureError, defineErrors } from '#app/core/errors'

/** consent/'s refusals: the page shows the sentence, the log keeps the code. */
export class ConsentError extends FeatureError<ConsentErrorCode> {}

export const consentErrors = defineErrors(ConsentError, {
  E_NO_CONSENT_TEXT: {
    status: 409,
    sentence:
      'No consent text is published yet; an administrator must publish one before clips can be uploaded.',
  },
  E_CONSENT_REQUIRED: {
    status: 422,
    /** `usableForHours` when the grant is too old for a new batch. */
    sentence: (params?: { usableForHours: number }) =>
      params
        ? `This consent was given more than ${params.usableForHours} hours ago and covered that upload batch; give consent again for new clips.`
        : 'Give your consent on the consent form before uploading clips.',
  },
  E_CONSENT_NOT_YOURS: {
    status: 403,
    sentence: 'This consent was given by another account; give your own consent before uploading.',
  },
  E_CONSENT_WITHDRAWN: {
    status: 409,
    sentence:
      'You withdrew consent given on this form; give consent again before uploading more clips.',
  },
  E_CLIP_NOT_FOUND: { status: 404, sentence: 'This clip does not exist or is not yours.' },
  E_ALREADY_WITHDRAWN: {
    status: 409,
    sentence: (params?: { scope: 'licensing' }) =>
      params?.scope === 'licensing'
        ? 'Licensing is already withdrawn for this clip; nothing more to do.'
        : 'Consent for this clip is already withdrawn; nothing more to do.',
  },
  E_TEXT_CHANGED: {
    status: 409,
    sentence: ({ version }: { version: number }) =>
      `The consent text changed while you were reading it (it is now version ${version}). Read the new version below and sign again.`,
  },
  E_NOT_FOUND: {
    status: 404,
    sentence: (params?: { what: 'record' }) =>
      params?.what === 'record'
        ? 'This consent record does not exist or is not yours.'
        : 'This consent text version does not exist.',
  },
  E_NO_LICENSING_CONSENT: {
    status: 409,
    sentence: 'This clip was never consented to licensing, so there is no licensing to withdraw.',
  },
})
export type ConsentErrorCode =
  | 'E_NO_CONSENT_TEXT'
  | 'E_CONSENT_REQUIRED'
  | 'E_CONSENT_NOT_YOURS'
  | 'E_CONSENT_WITHDRAWN'
  | 'E_CLIP_NOT_FOUND'
  | 'E_ALREADY_WITHDRAWN'
  | 'E_TEXT_CHANGED'
  | 'E_NOT_FOUND'
  | 'E_NO_LICENSING_CONSENT'
