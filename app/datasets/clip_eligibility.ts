import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { LicenceType } from '#models/dataset'
import { eligibilityErrors } from '#app/datasets/errors'

/**
 * Whether a clip may enter a dataset version, as the database decides it
 * (`clip_licensing_problem`, migration 0017): the creator's and admin's pickers, publishing,
 * the switch of a dataset's licence type, checkout, claims, grants, the ledger split and the
 * API all ask here, and the trigger on `dataset_version_clips` asks the same function, so the
 * pages can never promise what the database refuses.
 */
export const LICENSING_PROBLEMS = [
  'missing',
  'withdrawn',
  'rejected',
  'no_licensing_consent',
  'licensing_withdrawn',
  'research_only',
  'commercial_only',
  'not_approved',
] as const
export type LicensingProblem = (typeof LICENSING_PROBLEMS)[number]

/**
 * Problems that were never consented to, as opposed to consent withdrawn later: a version
 * holding such a clip (only possible for versions published before the database checked)
 * must not be sold until a corrected version is published.
 */
export const NEVER_CONSENTED: readonly LicensingProblem[] = [
  'no_licensing_consent',
  'research_only',
  'commercial_only',
]

/** Problems that mean "withdrawn" to a licence holder. */
export const WITHDRAWN: readonly LicensingProblem[] = ['withdrawn', 'licensing_withdrawn']

/**
 * Clips of a licensed version that are no longer delivered: withdrawn since, or (in versions
 * published before the database checked) never consented to this licence.
 */
export const UNDELIVERED: readonly LicensingProblem[] = [...WITHDRAWN, ...NEVER_CONSENTED]

/** The code of each problem in the catalog of eligibility reasons (datasets/errors.ts). */
export const PROBLEM_CODES = {
  missing: 'E_CLIP_MISSING',
  withdrawn: 'E_CLIP_WITHDRAWN',
  rejected: 'E_CLIP_REJECTED',
  no_licensing_consent: 'E_NO_LICENSING_CONSENT',
  licensing_withdrawn: 'E_LICENSING_WITHDRAWN',
  research_only: 'E_RESEARCH_ONLY',
  commercial_only: 'E_COMMERCIAL_ONLY',
  not_approved: 'E_NOT_APPROVED',
} as const satisfies Record<LicensingProblem, `E_${string}`>
export type IneligibleCode = (typeof PROBLEM_CODES)[LicensingProblem]
type TitledCode = Exclude<IneligibleCode, 'E_CLIP_MISSING'>

/**
 * Why a clip cannot enter a version of `type`: the problem's code and what its sentence names
 * (the clip's title and the licence type). A clip that does not exist has no title.
 */
export type Ineligible =
  | { code: 'E_CLIP_MISSING' }
  | { [Code in TitledCode]: { code: Code; title: string; type: LicenceType } }[TitledCode]

export interface Eligibility {
  problem: LicensingProblem | null
  /** Why it cannot enter (eligibilityErrors words it for the picker, the flash or the API); null when it can. */
  refusal: Ineligible | null
}

/** The refusal for a problem of the clip titled `title` in a version of `type`. */
export function ineligible(
  problem: LicensingProblem,
  title: string,
  type: LicenceType
): Ineligible {
  const code = PROBLEM_CODES[problem]
  return code === 'E_CLIP_MISSING' ? { code } : ({ code, title, type } as Ineligible)
}

/** The sentence shown beside a clip (or for a refusal) for each problem. */
export function reasonFor(problem: LicensingProblem, title: string, type: LicenceType): string {
  return eligibilityErrors.describe(ineligible(problem, title, type))
}

/** Is this error the database's refusal of an ineligible clip (trigger on dataset_version_clips)? */
export function isIneligibleClipError(error: unknown) {
  return (error as { constraint?: string }).constraint === 'dataset_version_clips_licensable_clip'
}

/**
 * Each clip's problem for a version of `type` (null = eligible), in one query. Pass the
 * transaction when the answer must hold for what that transaction writes.
 */
export async function licensingProblems(
  clipIds: string[],
  type: LicenceType,
  client?: QueryClientContract
): Promise<Map<string, LicensingProblem | null>> {
  const ids = [...new Set(clipIds)]
  const result = new Map<string, LicensingProblem | null>()
  if (ids.length === 0) return result
  const { rows } = await (client ?? db).rawQuery(
    'SELECT id, clip_licensing_problem(id, ?::licence_type) AS problem FROM unnest(?::uuid[]) AS id',
    [type, ids] as any[]
  )
  for (const row of rows as { id: string; problem: LicensingProblem | null }[])
    result.set(row.id, row.problem)
  return result
}

/** Eligibility with its refusal, for clips whose titles the caller has at hand. */
export async function eligibilityOf(
  clips: { id: string; title: string }[],
  type: LicenceType,
  client?: QueryClientContract
): Promise<Map<string, Eligibility>> {
  const problems = await licensingProblems(
    clips.map((clip) => clip.id),
    type,
    client
  )
  return new Map(
    clips.map((clip) => {
      const problem = problems.get(clip.id) ?? null
      return [clip.id, { problem, refusal: problem ? ineligible(problem, clip.title, type) : null }]
    })
  )
}

/** The clips among `clipIds` that a licence holder no longer receives (withdrawn, whole or for licensing). */
export async function withdrawnClipIds(
  clipIds: string[],
  client?: QueryClientContract
): Promise<Set<string>> {
  const ids = [...new Set(clipIds)]
  if (ids.length === 0) return new Set()
  const { rows } = await (client ?? db).rawQuery(
    'SELECT id FROM unnest(?::uuid[]) AS id WHERE clip_licensing_withdrawn(id)',
    [ids] as any[]
  )
  return new Set((rows as { id: string }[]).map((row) => row.id))
}

/** The clips among `clipIds` of a `type` version that a licence holder no longer receives. */
export async function undeliveredClipIds(
  clipIds: string[],
  type: LicenceType,
  client?: QueryClientContract
) {
  const problems = await licensingProblems(clipIds, type, client)
  return new Set(
    [...problems]
      .filter(([, problem]) => problem !== null && UNDELIVERED.includes(problem))
      .map(([id]) => id)
  )
}
