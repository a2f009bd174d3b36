import { FeatureError, defineErrors } from '#app/core/errors'
import { notForSale } from '#app/datasets/public'
import type { GrantResult } from '#app/licences/licence_issuer'
import type { AgreementResult } from '#app/licences/licence_text_service'

type Refusal<Result, Code> = Extract<Result, { code: Code }>

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

/**
 * Why a buy or claim form carries no agreement to the licence terms. The service returns it
 * as a value; the checkout and claim controllers flash the sentence and nothing is created.
 */
export class AgreementError extends FeatureError<AgreementRefusal['code']> {}
type AgreementRefusal = Exclude<AgreementResult, { ok: true }>

export const agreementErrors = defineErrors(AgreementError, {
  E_TERMS_NOT_AGREED: {
    status: 422,
    sentence:
      'Read the licence terms and tick “I agree to these licence terms” to continue. Nothing was created.',
  },
  E_TERMS_CHANGED: {
    status: 409,
    sentence: ({ version }: Refusal<AgreementResult, 'E_TERMS_CHANGED'>) =>
      `The licence terms changed while you were reading them (they are now version ${version}). Read the new version below and agree again.`,
  },
})

/** Why an admin's grant gave no licence; the grant form shows the sentence with its input kept. */
export class GrantError extends FeatureError<GrantRefusal['code']> {}
type GrantRefusal = Exclude<GrantResult, { ok: true }>

export const grantErrors = defineErrors(GrantError, {
  E_NO_BUYER: {
    status: 422,
    sentence: ({ email }: Refusal<GrantResult, 'E_NO_BUYER'>) => `No buyer account uses ${email}.`,
  },
  E_NO_VERSION: { status: 404, sentence: 'No dataset version has this id.' },
  E_NOT_LICENSABLE: {
    status: 409,
    // The version's own not-for-sale sentence, word for word (held is the default reading).
    sentence: ({ sale, version, latest, heldClips }: Refusal<GrantResult, 'E_NOT_LICENSABLE'>) =>
      notForSale.sentence(sale === 'E_NOTHING_LICENSABLE' ? sale : 'E_VERSION_HELD', {
        version,
        latest,
        heldClips,
      }),
  },
})
