import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { AuditTrail } from '#app/core/audit_trail'
import ConsentText from '#models/consent_text'
import type User from '#models/user'
import { consentErrors } from '#app/consent/errors'

/** The admin's side of consent texts: every version, one version as published, publishing the next. */
@inject()
export class ConsentTexts {
  /** Every version, newest first, with how many consent records cite each. */
  async allTexts() {
    const texts = await ConsentText.query().preload('publisher').orderBy('version', 'desc')
    const counts: { consent_text_id: number; total: string }[] = await db
      .from('consent_records')
      .whereNotNull('consent_text_id')
      .groupBy('consent_text_id')
      .select('consent_text_id')
      .count('* as total')
    const byText = new Map(counts.map((row) => [row.consent_text_id, Number(row.total)]))
    return texts.map((text) => ({ text, records: byText.get(text.id) ?? 0 }))
  }

  /** Publishes the next version. Old versions stay as they are: records cite them. */
  async publishText(admin: User, input: { title: string; body: string }, ip: string | null = null) {
    // Browsers send textarea line breaks as CRLF; the hash is of the text as shown.
    const body = input.body.replace(/\r\n?/g, '\n')
    return db.transaction(async (trx) => {
      // Two admins publishing at once would both pick the same next version number.
      await trx.rawQuery(`SELECT pg_advisory_xact_lock(hashtext('consent_texts.version'))`)
      const row = await ConsentText.query({ client: trx }).max('version as max').first()
      const text = await ConsentText.create(
        {
          version: Number(row?.$extras.max ?? 0) + 1,
          title: input.title,
          body,
          sha256: ConsentText.hashBody(body),
          publishedAt: DateTime.now(),
          publishedBy: admin.id,
        },
        { client: trx }
      )
      await new AuditTrail().record(
        {
          actorId: admin.id,
          action: 'consent_text.published',
          subject: { type: 'consent_text', id: text.id },
          meta: { version: text.version, sha256: text.sha256, title: text.title },
          ip,
        },
        trx
      )
      return text
    })
  }

  /** One published version, exactly as published. */
  async text(id: number) {
    const text = Number.isSafeInteger(id)
      ? await ConsentText.query().where('id', id).preload('publisher').first()
      : null
    if (!text) throw consentErrors.raise('E_NOT_FOUND')
    return text
  }
}
