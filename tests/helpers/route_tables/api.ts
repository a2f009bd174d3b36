import { DateTime } from 'luxon'
import type { ParamFixture, RouteTable } from '#tests/helpers/route_tables/types'
import Order from '#models/order'
import User from '#models/user'
import { API_SCOPE_NAMES } from '#app/accounts/api_token_service'
import { makeUser } from '#tests/helpers/users'
import { listedDataset } from '#tests/helpers/catalog'
import { licenceFor } from '#tests/helpers/exports'

const toLogin: [number, string] = [302, '/login']
const back: [number, string] = [302, '/account/tokens']
const everyone = (status: number) => ({
  anonymous: status,
  creator: status,
  buyer: status,
  admin: status,
  suspended: status,
})

/**
 * API tokens, receipts and the REST API v1. The token pages are a buyer's: creators and admins
 * are refused by the policy (a form goes back to the referer with the reason, 302); a buyer's
 * POST with no fields goes back with validation errors; a buyer revoking `:tokenId` (another
 * buyer's token) changes nothing and is sent to the tokens page. `:orderId` is another buyer's
 * paid order: its receipt is theirs and the admins'.
 *
 * /api/ rows authenticate with a full-scope token of the actor (authorization.spec.ts), never a
 * session: anonymous (no token) 401; creators' and admins' tokens 403 (the API is for buyers);
 * a suspended account's token 403 (`account_suspended`: the token is genuine, the account may
 * not use it, which is what 403 means). `:licenceId` is another buyer's licence: 404 to the
 * buyer, so licence ids cannot be probed. Unknown /api paths are a JSON 404 for everyone.
 */
export const apiRoutes: RouteTable = {
  'GET /account/tokens': {
    anonymous: toLogin,
    creator: 403,
    buyer: 200,
    admin: 403,
    suspended: toLogin,
  },
  'POST /account/tokens': {
    anonymous: toLogin,
    creator: back,
    buyer: back,
    admin: back,
    suspended: toLogin,
  },
  'DELETE /account/tokens/:tokenId': {
    anonymous: toLogin,
    creator: 302,
    buyer: back,
    admin: 302,
    suspended: toLogin,
  },
  'GET /buyer/receipts/:orderId': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'GET /api/v1/catalog': { anonymous: 401, creator: 403, buyer: 200, admin: 403, suspended: 403 },
  'GET /api/v1/datasets/:slug': {
    anonymous: 401,
    creator: 403,
    buyer: 200,
    admin: 403,
    suspended: 403,
  },
  'GET /api/v1/datasets/:slug/versions/:version': {
    anonymous: 401,
    creator: 403,
    buyer: 200,
    admin: 403,
    suspended: 403,
  },
  'GET /api/v1/licences': { anonymous: 401, creator: 403, buyer: 200, admin: 403, suspended: 403 },
  'GET /api/v1/licences/:licenceId/manifest': {
    anonymous: 401,
    creator: 403,
    buyer: 404,
    admin: 403,
    suspended: 403,
  },
  'GET /api/v1/openapi.json': everyone(200),
  'GET /api/*': everyone(404),
  'POST /api/*': everyone(404),
  'PUT /api/*': everyone(404),
  'PATCH /api/*': everyone(404),
  'DELETE /api/*': everyone(404),
  'OPTIONS /api/*': everyone(404),
}

/** Another buyer's token, paid order and licence, on a published dataset (rows only, no objects). */
export const apiParams: ParamFixture = async () => {
  const other = await makeUser('buyer')
  const dataset = await listedDataset(await makeUser('creator'))
  const version = await dataset.related('versions').query().firstOrFail()
  const order = await Order.create({
    buyerId: other.id,
    datasetVersionId: version.id,
    amountCents: version.priceCents,
    currency: version.currency,
    status: 'paid',
    paidAt: DateTime.now(),
  })
  const licence = await licenceFor(other, version, { source: 'purchase', orderId: order.id })
  const token = await User.accessTokens.create(other, API_SCOPE_NAMES, { name: 'other buyer' })
  return {
    tokenId: String(token.identifier),
    orderId: order.id,
    slug: dataset.slug,
    version: String(version.version),
    licenceId: licence.id,
  }
}
