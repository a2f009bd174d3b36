import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'

export interface AffectedLicence {
  licenceId: string
  source: string
  licenceType: string
  grantedAt: string
  buyerId: number
  buyerName: string
  buyerCompany: string | null
  datasetId: string
  datasetTitle: string
  datasetVersionId: string
  datasetVersion: number
}

/** Withdrawals and the licences in force that each one affects, for the admin's withdrawals page. */
@inject()
export class AffectedLicences {
  /** Licences still in force whose dataset version includes the clip. */
  async affectedLicences(clipId: string): Promise<AffectedLicence[]> {
    const byClip = await this.#licencesFor([clipId])
    return byClip.get(clipId) ?? []
  }

  /** Every withdrawal, newest first, with its clip, creator and the licences it affects. */
  async withdrawalsWithAffectedLicences(limit = 200) {
    const rows: any[] = await db
      .from('consent_records as w')
      .join('consent_record_clips as rc', 'rc.consent_record_id', 'w.id')
      .join('clips as c', 'c.id', 'rc.clip_id')
      .join('users as u', 'u.id', 'w.user_id')
      .where('w.kind', 'withdrawal')
      .orderBy('w.created_at', 'desc')
      .orderBy('w.id', 'desc')
      .limit(limit)
      .select(
        'w.id as record_id',
        'w.created_at',
        'w.withdraws_record_id',
        'c.id as clip_id',
        'c.title as clip_title',
        'c.status_reason',
        'u.id as user_id',
        'u.full_name',
        'u.email',
        db.raw('(SELECT count(*) FROM clip_assets a WHERE a.clip_id = c.id)::int AS stored_objects')
      )
    const licences = await this.#licencesFor(rows.map((row) => row.clip_id))
    return rows.map((row) => ({
      recordId: row.record_id as number,
      withdrawnAt: new Date(row.created_at).toISOString(),
      grantId: row.withdraws_record_id as number,
      clip: { id: row.clip_id as string, title: row.clip_title as string },
      reason: row.status_reason as string | null,
      creator: {
        id: row.user_id as number,
        name: row.full_name as string,
        email: row.email as string,
      },
      storedObjects: row.stored_objects as number,
      licences: licences.get(row.clip_id) ?? [],
    }))
  }

  async #licencesFor(clipIds: string[]) {
    const byClip = new Map<string, AffectedLicence[]>()
    if (clipIds.length === 0) return byClip
    const rows: any[] = await db
      .from('dataset_version_clips as dvc')
      .join('licences as l', 'l.dataset_version_id', 'dvc.dataset_version_id')
      .join('dataset_versions as dv', 'dv.id', 'dvc.dataset_version_id')
      .join('datasets as d', 'd.id', 'dv.dataset_id')
      .join('users as b', 'b.id', 'l.buyer_id')
      .whereIn('dvc.clip_id', [...new Set(clipIds)])
      .whereNull('l.revoked_at')
      .orderBy('l.created_at', 'asc')
      .select(
        'dvc.clip_id',
        'l.id as licence_id',
        'l.source',
        'l.licence_type',
        'l.created_at',
        'b.id as buyer_id',
        'b.full_name as buyer_name',
        'b.company_name',
        'd.id as dataset_id',
        'd.title as dataset_title',
        'dv.id as dataset_version_id',
        'dv.version'
      )
    for (const row of rows) {
      const list = byClip.get(row.clip_id) ?? []
      list.push({
        licenceId: row.licence_id,
        source: row.source,
        licenceType: row.licence_type,
        grantedAt: new Date(row.created_at).toISOString(),
        buyerId: row.buyer_id,
        buyerName: row.buyer_name,
        buyerCompany: row.company_name,
        datasetId: row.dataset_id,
        datasetTitle: row.dataset_title,
        datasetVersionId: row.dataset_version_id,
        datasetVersion: row.version,
      })
      byClip.set(row.clip_id, list)
    }
    return byClip
  }
}
