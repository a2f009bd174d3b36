import { FeatureError, defineErrors } from '#app/core/errors'

/*
 * catalog/'s refusals: the public dataset page's sample files, when the published version has
 * no clip left to show. The exception handler answers them (app/core/errors.ts explains the shape).
 */

/** Why a public catalog resource is not there. */
export class CatalogError extends FeatureError<CatalogErrorCode> {}

export const catalogErrors = defineErrors(CatalogError, {
  E_NO_SAMPLE: { status: 404, sentence: 'This dataset has no sample clip to show.' },
})
export type CatalogErrorCode = 'E_NO_SAMPLE'
