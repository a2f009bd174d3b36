import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { LicenceType } from '#models/dataset'

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

export interface Eligibility {
  problem: LicensingProblem | null
  /** One sentence for the picker, the flash or the API; null when the clip is eligible. */
  reason: string | null
}

const TYPE_NAME: Record<LicenceType, string> = { research: 'research', commercial: 'commercial' }

/** The sentence shown beside a clip (or for a refusal) for each problem. */
export function reasonFor(problem: LicensingProblem, title: string, type: LicenceType): string {
  const name = `“${title}”`
  switch (problem) {
    case 'missing':
      return 'One of the picked clips does not exist any more. Reload the page and pick again.'
    case 'withdrawn':
      return `${name} was withdrawn by its creator and can no longer enter a dataset version.`
    case 'rejected':
      return `${name} was rejected in review and cannot enter a dataset.`
    case 'no_licensing_consent':
      return `${name} was uploaded under a consent that covers processing only, not licensing: it cannot enter a dataset.`
    case 'licensing_withdrawn':
      return `${name}: its creator withdrew consent to licensing, so it can no longer enter a dataset version.`
    case 'research_only':
      return `${name} is consented for research use only: it can enter research datasets, not a ${TYPE_NAME[type]} one.`
    case 'commercial_only':
      return `${name} is consented for commercial use only: it can enter commercial datasets, not a ${TYPE_NAME[type]} one.`
    case 'not_approved':
      return `${name} is not approved yet; only approved clips enter a dataset.`
  }
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

/** Eligibility with its sentence, for clips whose titles the caller has at hand. */
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
      return [clip.id, { problem, reason: problem ? reasonFor(problem, clip.title, type) : null }]
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
