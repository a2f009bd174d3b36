import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Licence, { type LicenceSource } from '#models/licence'
import DatasetVersion from '#models/dataset_version'
import { AuditTrail } from '#app/core/audit_trail'
import User from '#models/user'
import { saleStatus, type SaleStatus } from '#app/datasets/public'
import type LicenceText from '#models/licence_text'
import { LicenceTextService } from '#app/licences/licence_text_service'

export type GrantResult =
  | { ok: true; licence: Licence; created: boolean }
  | { ok: false; code: 'E_NO_BUYER'; email: string }
  | { ok: false; code: 'E_NO_VERSION' }
  /** `sale`: why the version is not for sale, with what its sentence names (app/datasets/errors.ts). */
  | ({ ok: false; code: 'E_NOT_LICENSABLE'; sale: UnlicensableCode } & SaleStatus['facts'])

/** The not-for-sale reasons that stop an admin's grant too (an older version may be granted). */
export type UnlicensableCode = 'E_VERSION_HELD' | 'E_NOTHING_LICENSABLE'

export interface IssueLicence {
  buyerId: number
  version: Pick<DatasetVersion, 'id' | 'licenceType'>
  source: LicenceSource
  orderId?: string | null
  grantedBy?: number | null
  /** The licence text the licence is granted under (of the version's licence type). */
  text: Pick<LicenceText, 'id' | 'version' | 'sha256'>
}

/**
 * Issues and revokes licences. Issuing is idempotent: a buyer holds at most one live licence
 * per dataset version (the partial unique index `licences_active_unique`), so a second claim,
 * a replayed webhook or a grant to someone who already holds one returns the live licence.
 */
export class LicenceIssuer {
  /** The buyer's live licence for a version, if any. */
  live(buyerId: number, versionId: string, client?: TransactionClientContract) {
    return Licence.query({ client })
      .where('buyer_id', buyerId)
      .where('dataset_version_id', versionId)
      .whereNull('revoked_at')
      .first()
  }

  /** `created` is false when the buyer already held a live licence (or this order's). */
  async issue(
    input: IssueLicence,
    trx?: TransactionClientContract
  ): Promise<{ licence: Licence; created: boolean }> {
    const run = async (client: TransactionClientContract) => {
      if (input.orderId) {
        const forOrder = await Licence.query({ client }).where('order_id', input.orderId).first()
        if (forOrder) return { licence: forOrder, created: false }
      }
      // What the version holds that is no longer licensable at this moment is not part of it.
      const saleState = await saleStatus(input.version.id, client)
      const excluded = saleState?.excludedClips ?? 0
      const inserted = await client.rawQuery(
        `INSERT INTO licences (buyer_id, dataset_version_id, order_id, source, licence_type, licence_text_id, terms_version, terms_sha256, granted_by, excluded_clips)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (buyer_id, dataset_version_id) WHERE revoked_at IS NULL DO NOTHING
         RETURNING id`,
        [
          input.buyerId,
          input.version.id,
          input.orderId ?? null,
          input.source,
          input.version.licenceType,
          input.text.id,
          input.text.version,
          input.text.sha256,
          input.grantedBy ?? null,
          excluded,
        ] as any[]
      )
      const id: string | undefined = inserted.rows[0]?.id
      if (id) return { licence: await Licence.findOrFail(id, { client }), created: true }
      const existing = await this.live(input.buyerId, input.version.id, client)
      if (!existing)
        throw new Error(
          `licence for buyer ${input.buyerId} and version ${input.version.id} vanished`
        )
      return { licence: existing, created: false }
    }
    return trx ? run(trx) : db.transaction(run)
  }

  /** Revokes a live licence with the reason the buyer reads; a revoked one stays as it is. */
  async revoke(licence: Licence, reason: string, trx: TransactionClientContract) {
    if (licence.revokedAt) return licence
    licence.useTransaction(trx)
    licence.revokedAt = DateTime.now()
    licence.revokeReason = reason
    await licence.save()
    return licence
  }

  /**
   * An admin's grant: the buyer (by e-mail) gets a licence to the version, free of charge,
   * and the audit log records who granted what. Granting what the buyer already holds
   * changes nothing and is not audited again.
   */
  async grant(
    admin: User,
    input: { email: string; versionId: string; note?: string | null },
    ip: string | null
  ): Promise<GrantResult> {
    const buyer = await User.query().where('email', input.email).where('role', 'buyer').first()
    if (!buyer) return { ok: false, code: 'E_NO_BUYER', email: input.email }
    const version = await DatasetVersion.find(input.versionId)
    if (!version) return { ok: false, code: 'E_NO_VERSION' }
    // An admin may grant an older version (to restore what a buyer had), but never one whose
    // consent does not cover it or whose clips were all withdrawn.
    const sale = await saleStatus(version.id)
    if (sale && (sale.code === 'E_VERSION_HELD' || sale.code === 'E_NOTHING_LICENSABLE')) {
      return { ok: false, code: 'E_NOT_LICENSABLE', sale: sale.code, ...sale.facts }
    }
    return db.transaction(async (trx) => {
      // The buyer clicked nothing here: the grant records the type's current text, the one
      // their licence page and downloads will show them.
      const text = await new LicenceTextService().current(version.licenceType, trx)
      const { licence, created } = await this.issue(
        { buyerId: buyer.id, version, source: 'grant', grantedBy: admin.id, text },
        trx
      )
      if (created) {
        await new AuditTrail().record(
          {
            actorId: admin.id,
            action: 'licence.granted',
            subject: { type: 'licence', id: licence.id },
            meta: {
              buyerId: buyer.id,
              email: buyer.email,
              datasetVersionId: version.id,
              note: input.note ?? null,
            },
            ip,
          },
          trx
        )
      }
      return { ok: true as const, licence, created }
    })
  }
}
