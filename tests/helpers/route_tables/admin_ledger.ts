import { DateTime } from 'luxon'
import Order from '#models/order'
import Transfer from '#models/transfer'
import { emptyPublishedVersion } from '#tests/helpers/route_tables/fixtures'
import type { ParamFixture, RouteTable } from '#tests/helpers/route_tables/types'
import { makeUser } from '#tests/helpers/users'

const toLogin: [number, string] = [302, '/login']

/**
 * Admin money and legal consoles: only an admin who is not suspended. `:transferId` is a
 * pending transfer of a paid order and `:orderId` that order. The table's instance has no
 * Stripe keys: the admin's retry is refused and sent back (302, flashed), and the admin's
 * refund with no reason is sent back by validation (302). A refused role's POST is sent back
 * by bouncer (302 to the referer); tests/functional/admin_ledger checks nothing is written.
 */
export const adminLedgerRoutes: RouteTable = {
  'GET /admin/payouts': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'POST /admin/transfers/:transferId/retry': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
  'POST /admin/orders/:orderId/refund': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
  'GET /admin/ledger': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'GET /admin/ledger.csv': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'GET /admin/consent-log': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'GET /admin/consent-log.csv': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'GET /admin/consent-log/licences': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'GET /admin/consent-log/held-versions': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
}

/** A paid order (no Stripe payment behind it) with a creator's pending transfer. */
export const adminLedgerParams: ParamFixture = async () => {
  const { dataset, version } = await emptyPublishedVersion({ priceCents: 2500 })
  const buyer = await makeUser('buyer')
  const order = await Order.create({
    buyerId: buyer.id,
    datasetVersionId: version.id,
    amountCents: 2500,
    currency: dataset.currency,
    platformFeeCents: 500,
    status: 'paid',
    paidAt: DateTime.now(),
  })
  const creator = await makeUser('creator')
  const transfer = await Transfer.create({
    creatorId: creator.id,
    orderId: order.id,
    amountCents: 2000,
    currency: dataset.currency,
    status: 'pending',
  })
  return { transferId: String(transfer.id), orderId: order.id }
}
