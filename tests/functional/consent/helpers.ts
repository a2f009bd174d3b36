import { versionContaining } from '#tests/helpers/datasets'
import db from '@adonisjs/lucid/services/db'
import type Clip from '#models/clip'
import Licence from '#models/licence'
import { ClipFactory } from '#database/factories/clip_factory'
import type User from '#models/user'
import { licenceTerms } from '#tests/helpers/licence_texts'

/** A complete, valid consent form for the given text. */
export function grantForm(textId: number, overrides: Record<string, unknown> = {}) {
  return {
    textId,
    subject: 'self',
    scopes: ['processing', 'licensing'],
    usage: 'research_and_commercial',
    signature: 'Ada Runner',
    agree: 'on',
    ...overrides,
  }
}

/** Runs SQL in a savepoint, so an expected refusal rolls back only that statement. */
export function attempt(sql: string, bindings: unknown[] = []) {
  return db.transaction((trx) => trx.rawQuery(sql, bindings as any[]))
}

/** Publishes a dataset version holding the clip and licenses it to the buyer. */
export async function licensedVersionWith(clip: Clip, buyer: User) {
  const { dataset, version } = await versionContaining(clip)
  const licence = await Licence.create({
    buyerId: buyer.id,
    datasetVersionId: version.id,
    source: 'grant',
    licenceType: dataset.licenceType,
    ...(await licenceTerms(dataset.licenceType)),
  })
  return { dataset, version, licence }
}

/** An approved clip of the given creator (under a grant of theirs). */
export function clipOf(user: User, state: 'approved' | 'processed' = 'approved') {
  return ClipFactory.apply(state).merge({ userId: user.id }).create()
}
