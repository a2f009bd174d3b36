import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import { LICENCE_TYPES, type LicenceType } from '#models/dataset'
import LicenceText from '#models/licence_text'
import type User from '#models/user'
import { AuditTrail } from '#app/core/audit_trail'
import { licenceTextErrors } from '#app/licences/errors'

/** What a checkout or claim form sent about the terms: the box, and the text it showed. */
export interface AgreementInput {
  agree?: unknown
  licenceTextId?: unknown
}

export type AgreementResult =
  | { ok: true; text: LicenceText }
  | { ok: false; code: 'E_TERMS_NOT_AGREED' }
  /** `version`: the current text's, the one the buyer has not seen. */
  | { ok: false; code: 'E_TERMS_CHANGED'; version: number }

const TICKED = new Set(['1', 'on', 'true', 'yes'])

/**
 * The licence wording, one versioned text per licence type. Pages before a purchase show the
 * current version; a licence cites the version its buyer agreed to, and everything delivered
 * for it (licence page, LICENCE.md, dataset card, Croissant, API) reads that one.
 */
export class LicenceTextService {
  /** The latest version of a type's text. The migration seeds version 1 of each type. */
  async current(type: LicenceType, client?: TransactionClientContract) {
    const text = await LicenceText.query({ client })
      .where('licence_type', type)
      .orderBy('version', 'desc')
      .first()
    if (!text) {
      throw licenceTextErrors.raise('E_NO_LICENCE_TEXT', { type })
    }
    return text
  }

  /** One published version, exactly as published. */
  async text(id: number) {
    const text = Number.isSafeInteger(id)
      ? await LicenceText.query().where('id', id).preload('publisher').first()
      : null
    if (!text) throw licenceTextErrors.raise('E_NOT_FOUND')
    return text
  }

  /** Per licence type, every version newest first, with how many licences cite each. */
  async allTexts() {
    const texts = await LicenceText.query()
      .preload('publisher')
      .orderBy('licence_type')
      .orderBy('version', 'desc')
    const counts: { licence_text_id: number; total: string }[] = await db
      .from('licences')
      .groupBy('licence_text_id')
      .select('licence_text_id')
      .count('* as total')
    const byText = new Map(counts.map((row) => [row.licence_text_id, Number(row.total)]))
    return LICENCE_TYPES.map((type) => {
      const versions = texts
        .filter((text) => text.licenceType === type)
        .map((text) => ({ text, licences: byText.get(text.id) ?? 0 }))
      return { type, current: versions[0]?.text ?? null, versions }
    })
  }

  /**
   * The text a buyer agreed to on the dataset page, or why there is no agreement (coded;
   * agreementErrors words it): the box was not ticked, or a new version was published while
   * the page was open (the buyer is not bound to wording they never saw).
   */
  async agreedTo(type: LicenceType, input: AgreementInput): Promise<AgreementResult> {
    if (!TICKED.has(String(input.agree ?? '').toLowerCase())) {
      return { ok: false, code: 'E_TERMS_NOT_AGREED' }
    }
    const text = await this.current(type)
    if (Number(input.licenceTextId) !== text.id) {
      return { ok: false, code: 'E_TERMS_CHANGED', version: text.version }
    }
    return { ok: true, text }
  }

  /**
   * The text a paid order's licence cites: the one agreed to at checkout. An order written
   * before texts were recorded on orders has none; it gets the current text of its type.
   */
  async ofOrder(
    order: { licenceTextId: number | null },
    type: LicenceType,
    trx: TransactionClientContract
  ) {
    if (order.licenceTextId) return LicenceText.findOrFail(order.licenceTextId, { client: trx })
    return this.current(type, trx)
  }

  /** Publishes the next version of one type. Old versions stay as they are: licences cite them. */
  async publish(
    admin: User,
    input: { licenceType: LicenceType; title: string; body: string },
    ip: string | null = null
  ) {
    // Browsers send textarea line breaks as CRLF; the hash is of the text as shown.
    const body = input.body.replace(/\r\n?/g, '\n')
    return db.transaction(async (trx) => {
      // Two admins publishing at once would both pick the same next version number.
      await trx.rawQuery(`SELECT pg_advisory_xact_lock(hashtext('licence_texts.version'))`)
      const row = await LicenceText.query({ client: trx })
        .where('licence_type', input.licenceType)
        .max('version as max')
        .first()
      const text = await LicenceText.create(
        {
          licenceType: input.licenceType,
          version: Number(row?.$extras.max ?? 0) + 1,
          title: input.title,
          body,
          sha256: LicenceText.hashBody(body),
          publishedAt: DateTime.now(),
          publishedBy: admin.id,
        },
        { client: trx }
      )
      await new AuditTrail().record(
        {
          actorId: admin.id,
          action: 'licence_text.published',
          subject: { type: 'licence_text', id: text.id },
          meta: {
            licenceType: text.licenceType,
            version: text.version,
            sha256: text.sha256,
            title: text.title,
          },
          ip,
        },
        trx
      )
      return text
    })
  }
}
