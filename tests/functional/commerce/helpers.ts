import db from '@adonisjs/lucid/services/db'
import DatasetVersion from '#models/dataset_version'
import LedgerEntry from '#models/ledger_entry'
import type User from '#models/user'
import { ClipFactory } from '#database/factories/clip_factory'
import { DatasetFactory } from '#database/factories/dataset_factory'
import type { FakeStripe } from '#tests/helpers/fake_stripe'
import { makeUser } from '#tests/helpers/users'

export { useFakeStripe, withoutStripe } from '#tests/helpers/stripe'

/**
 * A published version of a curated dataset holding one approved clip per entry of
 * `seconds`, each by its own new creator (or the given ones), at `priceCents`.
 */
export async function versionOf(priceCents: number, seconds: number[], creators?: User[]) {
  const owner = await makeUser('admin')
  const people = creators ?? (await Promise.all(seconds.map(() => makeUser('creator'))))
  const dataset = await DatasetFactory.apply('published')
    .apply('curated')
    .merge({ ownerId: owner.id, priceCents })
    .create()
  const clips = []
  for (const [index, clipSeconds] of seconds.entries()) {
    clips.push(
      await ClipFactory.apply('approved')
        .merge({
          userId: people[index % people.length].id,
          durationMs: Math.round(clipSeconds * 1000),
        })
        .create()
    )
  }
  const manifest = {
    format: 1,
    clips: clips.map((clip, position) => ({
      id: clip.id,
      position,
      seconds: seconds[position],
      files: [],
    })),
  }
  const version = await DatasetVersion.create({
    datasetId: dataset.id,
    version: 1,
    manifest,
    manifestSha256: 'b'.repeat(64),
    stats: {
      clips: clips.length,
      duration_ms: seconds.reduce((sum, s) => sum + s * 1000, 0),
      people: clips.length,
      keypoint_frames: 0,
    },
    priceCents,
    currency: dataset.currency,
    licenceType: dataset.licenceType,
  })
  if (clips.length) {
    await db
      .insertQuery()
      .table('dataset_version_clips')
      .multiInsert(
        clips.map((clip, position) => ({
          dataset_version_id: version.id,
          clip_id: clip.id,
          position,
          seconds: seconds[position],
        }))
      )
  }
  await version.load('dataset')
  return { dataset, version, creators: people, clips }
}

/** Gives a creator a connected account the fake considers ready. */
export async function readyCreator(fake: FakeStripe, creator: User) {
  const account = fake.readyAccount(creator.email)
  creator.merge({ stripeAccountId: account.id, stripeAccountStatus: 'ready' })
  await creator.save()
  return account
}

/** The session id at the end of the checkout URL the app redirected to. */
export function sessionIdOf(location: string) {
  return location.split('/pay/')[1]
}

/** Counts of everything a webhook may write. */
export async function moneyRows() {
  const count = async (table: string) => {
    const [counted] = await db.from(table).count('* as n')
    return Number(counted.n)
  }
  const [paid] = await db.from('orders').whereIn('status', ['paid', 'refunded']).count('* as n')
  return {
    webhookEvents: await count('webhook_events'),
    licences: await count('licences'),
    ledgerEntries: await count('ledger_entries'),
    transfers: await count('transfers'),
    paidOrders: Number(paid.n),
  }
}

/** The ledger rows of an order, grouped, each group's sum (always 0 when balanced). */
export async function ledgerOf(orderId: string) {
  const rows = await LedgerEntry.query().where('order_id', orderId).orderBy('id')
  const groups = new Map<string, LedgerEntry[]>()
  for (const row of rows) groups.set(row.groupId, [...(groups.get(row.groupId) ?? []), row])
  return {
    rows,
    groups: [...groups.values()],
    sums: [...groups.values()].map((group) => group.reduce((sum, row) => sum + row.amountCents, 0)),
  }
}
