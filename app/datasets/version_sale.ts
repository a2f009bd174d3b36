import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { NEVER_CONSENTED } from '#app/datasets/clip_eligibility'
import { type NotForSaleCode, notForSale, type SaleFacts } from '#app/datasets/errors'

/**
 * Whether a dataset version may be sold or claimed now, and why not. Only the latest version
 * of a published dataset is for sale, and only while it holds at least one licensable clip
 * and no clip its consent never covered. Licences already issued are never affected: older
 * versions stay downloadable for their holders.
 */
export interface SaleStatus {
  purchasable: boolean
  /** Why it is not for sale, in one sentence; null when it is. */
  reason: string | null
  code: NotForSaleCode | null
  /** What the reason names (app/datasets/errors.ts), so a refusal can be raised with it. */
  facts: SaleFacts
  /** Clips a sale now would deliver and pay their creators for. */
  licensableClips: number
  /** Clips of the version that a sale now would leave out (withdrawn since publication…). */
  excludedClips: number
  /** Clips the version holds that their consent never covered (published before the check). */
  heldClips: number
}

interface Row {
  id: string
  version: number
  dataset_status: string
  latest_number: number
  licensable: string
  held: string
  total: string
}

/** Sale status of each version id given (unknown ids are absent from the map). */
export async function saleStatuses(
  versionIds: string[],
  client?: QueryClientContract
): Promise<Map<string, SaleStatus>> {
  const ids = [...new Set(versionIds)]
  const result = new Map<string, SaleStatus>()
  if (ids.length === 0) return result
  const { rows } = await (client ?? db).rawQuery(
    `SELECT dv.id, dv.version, d.status AS dataset_status, latest.number AS latest_number,
            count(x.clip_id) FILTER (WHERE x.problem IS NULL) AS licensable,
            count(x.clip_id) FILTER (WHERE x.problem = ANY (?::text[])) AS held,
            count(x.clip_id) AS total
     FROM dataset_versions dv
     JOIN datasets d ON d.id = dv.dataset_id
     CROSS JOIN LATERAL (SELECT max(version) AS number FROM dataset_versions WHERE dataset_id = d.id) latest
     LEFT JOIN LATERAL (
       SELECT dvc.clip_id, clip_licensing_problem(dvc.clip_id, dv.licence_type) AS problem
       FROM dataset_version_clips dvc WHERE dvc.dataset_version_id = dv.id
     ) x ON true
     WHERE dv.id = ANY (?::uuid[])
     GROUP BY dv.id, d.status, latest.number`,
    [[...NEVER_CONSENTED], ids] as any[]
  )
  for (const row of rows as Row[]) result.set(row.id, statusOf(row))
  return result
}

/** One version's sale status; null when no such version exists. */
export async function saleStatus(versionId: string, client?: QueryClientContract) {
  const statuses = await saleStatuses([versionId], client)
  return statuses.get(versionId) ?? null
}

function statusOf(row: Row): SaleStatus {
  const licensableClips = Number(row.licensable)
  const heldClips = Number(row.held)
  const counts = { licensableClips, heldClips, excludedClips: Number(row.total) - licensableClips }
  const facts: SaleFacts = { version: row.version, latest: row.latest_number, heldClips }
  const refuse = (code: NotForSaleCode): SaleStatus => ({
    purchasable: false,
    code,
    reason: notForSale.sentence(code, facts),
    facts,
    ...counts,
  })
  if (row.dataset_status !== 'published') return refuse('E_UNPUBLISHED')
  // Versions only grow (append-only), so the latest is the highest number.
  if (row.version !== row.latest_number) return refuse('E_NOT_LATEST')
  if (heldClips > 0) return refuse('E_VERSION_HELD')
  if (licensableClips === 0) return refuse('E_NOTHING_LICENSABLE')
  return { purchasable: true, code: null, reason: null, facts, ...counts }
}

/** The versions published before consent bound every version, that hold clips it never covered. */
export async function heldVersions(client?: QueryClientContract) {
  const { rows } = await (client ?? db).rawQuery(
    `SELECT d.id AS dataset_id, d.title AS dataset_title, d.status AS dataset_status,
            (SELECT max(version) FROM dataset_versions latest WHERE latest.dataset_id = d.id) AS latest_number,
            dv.id AS version_id, dv.version, dv.licence_type, dv.published_at,
            c.id AS clip_id, c.title AS clip_title, x.problem,
            (SELECT count(*) FROM licences l WHERE l.dataset_version_id = dv.id AND l.revoked_at IS NULL)::int AS live_licences
     FROM dataset_versions dv
     JOIN datasets d ON d.id = dv.dataset_id
     JOIN dataset_version_clips dvc ON dvc.dataset_version_id = dv.id
     JOIN clips c ON c.id = dvc.clip_id
     CROSS JOIN LATERAL (SELECT clip_licensing_problem(c.id, dv.licence_type) AS problem) x
     WHERE x.problem = ANY (?::text[])
     ORDER BY dv.published_at DESC, dv.id, dvc.position`,
    [[...NEVER_CONSENTED]] as any[]
  )
  const versions = new Map<string, HeldVersion>()
  for (const row of rows as any[]) {
    let entry = versions.get(row.version_id)
    if (!entry) {
      entry = {
        datasetId: row.dataset_id,
        datasetTitle: row.dataset_title,
        versionId: row.version_id,
        version: row.version,
        licenceType: row.licence_type,
        publishedAt: new Date(row.published_at),
        // A corrected version supersedes it: it is then only kept for its licence holders.
        superseded: row.version !== row.latest_number,
        liveLicences: row.live_licences,
        clips: [],
      }
      versions.set(row.version_id, entry)
    }
    entry.clips.push({ id: row.clip_id, title: row.clip_title, problem: row.problem })
  }
  return [...versions.values()]
}

export interface HeldVersion {
  datasetId: string
  datasetTitle: string
  versionId: string
  version: number
  licenceType: string
  publishedAt: Date
  superseded: boolean
  liveLicences: number
  clips: { id: string; title: string; problem: string }[]
}
