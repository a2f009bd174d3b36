import { FeatureError, defineErrors } from '#app/core/errors'
import type { Ineligible } from '#app/datasets/clip_eligibility'
import type { PublishRefusal, SkippedClip } from '#app/datasets/dataset_publisher'
import type {
  SetClipsRefusal,
  UnpublishRefusal,
  UpdateRefusal,
} from '#app/datasets/dataset_service'

/*
 * The errors of datasets/: why a version is not for sale, why its files cannot be delivered,
 * why a picked clip cannot enter a version, and why a creator's or curator's action on a
 * dataset was refused. Sentences live here only (app/core/errors.ts explains the shape).
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

type Refusal<Result, Code> = Extract<Result, { code: Code }>

/**
 * Why a picked clip cannot enter a version: its eligibility (clip_eligibility.ts, one code per
 * problem the database names) or, at publication, its files. The picker shows the sentence
 * beside the clip; refusals and the publication's "left out" list quote it.
 */
export class IneligibleClipError extends FeatureError<SkippedClip['code']> {}

export const eligibilityErrors = defineErrors(IneligibleClipError, {
  E_CLIP_MISSING: {
    status: 409,
    sentence: 'One of the picked clips does not exist any more. Reload the page and pick again.',
  },
  E_CLIP_WITHDRAWN: {
    status: 409,
    sentence: ({ title }: Refusal<Ineligible, 'E_CLIP_WITHDRAWN'>) =>
      `“${title}” was withdrawn by its creator and can no longer enter a dataset version.`,
  },
  E_CLIP_REJECTED: {
    status: 409,
    sentence: ({ title }: Refusal<Ineligible, 'E_CLIP_REJECTED'>) =>
      `“${title}” was rejected in review and cannot enter a dataset.`,
  },
  E_NO_LICENSING_CONSENT: {
    status: 409,
    sentence: ({ title }: Refusal<Ineligible, 'E_NO_LICENSING_CONSENT'>) =>
      `“${title}” was uploaded under a consent that covers processing only, not licensing: it cannot enter a dataset.`,
  },
  E_LICENSING_WITHDRAWN: {
    status: 409,
    sentence: ({ title }: Refusal<Ineligible, 'E_LICENSING_WITHDRAWN'>) =>
      `“${title}”: its creator withdrew consent to licensing, so it can no longer enter a dataset version.`,
  },
  E_RESEARCH_ONLY: {
    status: 409,
    sentence: ({ title, type }: Refusal<Ineligible, 'E_RESEARCH_ONLY'>) =>
      `“${title}” is consented for research use only: it can enter research datasets, not a ${type} one.`,
  },
  E_COMMERCIAL_ONLY: {
    status: 409,
    sentence: ({ title, type }: Refusal<Ineligible, 'E_COMMERCIAL_ONLY'>) =>
      `“${title}” is consented for commercial use only: it can enter commercial datasets, not a ${type} one.`,
  },
  E_NOT_APPROVED: {
    status: 409,
    sentence: ({ title }: Refusal<Ineligible, 'E_NOT_APPROVED'>) =>
      `“${title}” is not approved yet; only approved clips enter a dataset.`,
  },
  E_FILES_MISSING: {
    status: 409,
    sentence: ({ title, unprocessed }: Refusal<SkippedClip, 'E_FILES_MISSING'>) =>
      `“${title}” has no processed ${unprocessed.join(', ')} and was left out.`,
  },
  E_KEYPOINTS_UNREADABLE: {
    status: 409,
    sentence: ({ title }: Refusal<SkippedClip, 'E_KEYPOINTS_UNREADABLE'>) =>
      `“${title}”: its keypoints could not be read, so it was left out.`,
  },
})

/** The clips' reasons, one after the other, as a refusal quotes them. */
const reasons = (refusals: SkippedClip[]) =>
  refusals.map((refusal) => eligibilityErrors.describe(refusal)).join(' ')

/**
 * Why a creator's (or a curator's) action on a dataset changed nothing: picking clips (a
 * clip's eligibility reason, above, or someone else's clip), saving details, publishing,
 * unpublishing. The service returns them as values; the editor flashes the sentence.
 */
export class DatasetError extends FeatureError<DatasetRefusal['code']> {}
type DatasetRefusal = SetClipsRefusal | UpdateRefusal | UnpublishRefusal | PublishRefusal

export const datasetErrors = defineErrors(DatasetError, {
  ...eligibilityErrors.catalog,
  E_NOT_OWN_CLIP: {
    status: 403,
    sentence: ({ title }: Refusal<SetClipsRefusal, 'E_NOT_OWN_CLIP'>) =>
      `“${title}” belongs to another creator: only admins curate datasets from several creators.`,
  },
  E_LICENCE_BLOCKED: {
    status: 409,
    sentence: ({ type, clipRefusals }: Refusal<UpdateRefusal, 'E_LICENCE_BLOCKED'>) => {
      const one = clipRefusals.length === 1
      return `This dataset cannot become ${type}: ${clipRefusals.length} picked clip${one ? ' blocks' : 's block'} it. ${reasons(clipRefusals)} Remove ${one ? 'it' : 'them'} from the selection first.`
    },
  },
  E_NOT_PUBLISHED: {
    status: 409,
    sentence: 'This dataset is not published, so there is nothing to unpublish.',
  },
  E_NOTHING_PICKED: {
    status: 409,
    sentence: 'Pick at least one approved clip before publishing.',
  },
  E_NO_SPORT: { status: 409, sentence: 'Choose the sport of this dataset before publishing.' },
  E_NOTHING_PUBLISHABLE: {
    status: 409,
    sentence: ({ clipRefusals }: Refusal<PublishRefusal, 'E_NOTHING_PUBLISHABLE'>) =>
      `Nothing to publish: none of the picked clips can enter a version. ${reasons(clipRefusals)}`,
  },
  E_CHANGED_WHILE_PUBLISHING: {
    status: 409,
    sentence: ({ clipRefusals }: Refusal<PublishRefusal, 'E_CHANGED_WHILE_PUBLISHING'>) =>
      `${reasons(clipRefusals)} Publish again to leave it out.`,
  },
  E_UNCHANGED: {
    status: 409,
    sentence: ({ version }: Refusal<PublishRefusal, 'E_UNCHANGED'>) =>
      `Nothing changed since version ${version}: add or remove clips, or change the price or licence, then publish.`,
  },
  E_REFUSED_BY_DATABASE: {
    status: 409,
    sentence: 'A clip was withdrawn or rejected while publishing. Publish again to leave it out.',
  },
})
