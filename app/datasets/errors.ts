import { FeatureError, defineErrors } from '#app/core/errors'

/*
 * The errors of datasets/: why a version is not for sale, and why its files cannot be
 * delivered. Sentences live here only (app/core/errors.ts explains the shape).
 */

/** What the not-for-sale sentences name: the version asked for and what it holds. */
export interface SaleFacts {
  version: number
  latest: number
  heldClips: number
}

/** A refusal to sell or claim a version: 409, its page offers the dataset's current version. */
export class NotForSaleError extends FeatureError<NotForSaleCode> {}

const NOT_FOR_SALE = 'pages/errors/not_for_sale'

export const notForSale = defineErrors(NotForSaleError, {
  E_UNPUBLISHED: {
    status: 409,
    page: NOT_FOR_SALE,
    sentence: (_: SaleFacts) =>
      'This dataset is not published any more, so it cannot be bought or claimed. Licences already issued stay valid.',
  },
  E_NOT_LATEST: {
    status: 409,
    page: NOT_FOR_SALE,
    sentence: ({ version, latest }: SaleFacts) =>
      `Version ${version} is not the latest version of this dataset (version ${latest} is): only the latest version can be bought or claimed. Licences already issued for version ${version} stay valid.`,
  },
  E_VERSION_HELD: {
    status: 409,
    page: NOT_FOR_SALE,
    sentence: ({ heldClips }: SaleFacts) =>
      `This version holds ${heldClips} clip${heldClips === 1 ? '' : 's'} whose consent does not cover this licence, so it is not for sale until an admin publishes a corrected version.`,
  },
  E_NOTHING_LICENSABLE: {
    status: 409,
    page: NOT_FOR_SALE,
    sentence: (_: SaleFacts) =>
      'Every clip of this version was withdrawn by its creators, so it is no longer for sale.',
  },
})
export type NotForSaleCode =
  'E_UNPUBLISHED' | 'E_NOT_LATEST' | 'E_VERSION_HELD' | 'E_NOTHING_LICENSABLE'

/**
 * Why a version cannot be delivered. Before a response has started (an unreadable manifest)
 * the buyer reads the sentence and the log keeps the code and `detail`; once a ZIP is
 * streaming, the stream is aborted instead (the client sees a failed download, never a wrong file).
 */
export class ExportError extends FeatureError<ExportErrorCode> {}

const UNDELIVERABLE = {
  status: 409,
  page: 'pages/licences/unavailable',
  api: 'unavailable',
  sentence:
    'The files of this dataset version cannot be delivered right now. The administrator has been told; try again later.',
} as const

export const exportErrors = defineErrors(ExportError, {
  E_MANIFEST_INVALID: UNDELIVERABLE,
  E_OBJECT_MISSING: UNDELIVERABLE,
  E_SIZE_MISMATCH: UNDELIVERABLE,
  E_SHA256_MISMATCH: UNDELIVERABLE,
})
export type ExportErrorCode =
  'E_MANIFEST_INVALID' | 'E_OBJECT_MISSING' | 'E_SHA256_MISMATCH' | 'E_SIZE_MISMATCH'
