/*
 * The demo's paid order, written as the Stripe webhook would leave it. Outside
 * database/seeders, which Lucid runs file by file.
 */
import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type DatasetVersion from '#models/dataset_version'
import LedgerEntry from '#models/ledger_entry'
import Licence from '#models/licence'
import Order from '#models/order'
import Transfer from '#models/transfer'
import type User from '#models/user'
import { platformFee, splitBySeconds } from '#app/commerce/ledger_split'
import { LicenceTextService } from '#app/licences/licence_text_service'
import { SETTING_DEFAULTS } from '#app/core/settings_store'

/** The licence columns citing the current licence text of the version's type, as checkout would. */
export async function licenceTerms(trx: TransactionClientContract, version: DatasetVersion) {
  const text = await new LicenceTextService().current(version.licenceType, trx)
  return { licenceTextId: text.id, termsVersion: text.version, termsSha256: text.sha256 }
}

/**
 * A paid Checkout order as the webhook would record it: the order, the licence, one
 * balanced ledger group (cash in; platform fee and each creator's share by clip seconds)
 * and a pending transfer per creator (no demo creator has a ready Stripe account).
 */
export async function sellVersion(
  trx: TransactionClientContract,
  version: DatasetVersion,
  buyer: User
) {
  const client = { client: trx }
  const paidAt = DateTime.now().minus({ days: 2 })
  const feeCents = platformFee(version.priceCents, SETTING_DEFAULTS.commission_bps)
  const terms = await licenceTerms(trx, version)
  const order = await Order.create(
    {
      buyerId: buyer.id,
      datasetVersionId: version.id,
      amountCents: version.priceCents,
      currency: version.currency,
      platformFeeCents: feeCents,
      status: 'paid',
      stripeCheckoutSessionId: 'cs_test_demo_0001',
      stripePaymentIntentId: 'pi_test_demo_0001',
      stripeChargeId: 'ch_test_demo_0001',
      paidAt,
      licenceTextId: terms.licenceTextId,
    },
    client
  )
  await Licence.create(
    {
      buyerId: buyer.id,
      datasetVersionId: version.id,
      orderId: order.id,
      source: 'purchase',
      licenceType: version.licenceType,
      ...terms,
    },
    client
  )

  const rows: { user_id: number; seconds: string }[] = await trx
    .from('dataset_version_clips')
    .join('clips', 'clips.id', 'dataset_version_clips.clip_id')
    .where('dataset_version_id', version.id)
    .groupBy('clips.user_id')
    .orderBy('clips.user_id')
    .select('clips.user_id')
    .sum('seconds as seconds')
  const shares = splitBySeconds(
    version.priceCents - feeCents,
    rows.map((row) => ({ creatorId: row.user_id, seconds: Number(row.seconds) }))
  ).map(({ creatorId, cents }) => ({ userId: creatorId, cents }))

  const groupId = randomUUID()
  const entry = { groupId, orderId: order.id, currency: order.currency }
  await LedgerEntry.createMany(
    [
      {
        ...entry,
        kind: 'sale',
        account: 'cash',
        amountCents: -order.amountCents,
        memo: `Checkout ${order.stripeCheckoutSessionId}`,
      },
      {
        ...entry,
        kind: 'platform_fee',
        account: 'platform_revenue',
        amountCents: feeCents,
        memo: `${SETTING_DEFAULTS.commission_bps / 100}% platform fee`,
      },
      ...shares.map(({ userId, cents }) => ({
        ...entry,
        kind: 'creator_share' as const,
        account: 'creator_payable' as const,
        userId,
        amountCents: cents,
        memo: 'Share by clip seconds',
      })),
    ],
    client
  )
  await LedgerEntry.assertBalanced(trx)
  for (const { userId, cents } of shares) {
    await Transfer.create(
      {
        creatorId: userId,
        orderId: order.id,
        amountCents: cents,
        currency: order.currency,
        status: 'pending',
        sourceTransaction: order.stripeChargeId,
      },
      client
    )
  }
}
