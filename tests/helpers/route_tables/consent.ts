import { ClipFactory } from '#database/factories/clip_factory'
import type { ParamFixture, RouteTable } from '#tests/helpers/route_tables/types'

const toLogin: [number, string] = [302, '/login']

/**
 * Consent. Path parameters point at another creator's grant and clip, so a creator gets 404
 * (not shown to exist) where an admin, who reads every receipt, gets 200. POSTs carry no
 * form fields: an allowed role's is refused by validation and sent back (302); a refused
 * role's is sent back by bouncer with the refusal flashed (302 to the referer) — the
 * specs in tests/functional/consent check that nothing is written.
 */
export const consentRoutes: RouteTable = {
  'GET /consent/new': {
    anonymous: toLogin,
    creator: 200,
    buyer: 403,
    admin: 403,
    suspended: toLogin,
  },
  'POST /consent': {
    anonymous: toLogin,
    creator: 302,
    buyer: [302, '/consent'],
    admin: [302, '/consent'],
    suspended: toLogin,
  },
  'GET /consents': { anonymous: toLogin, creator: 200, buyer: 403, admin: 403, suspended: toLogin },
  'GET /consents/:consentId': {
    anonymous: toLogin,
    creator: 404,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'GET /consents/:consentId/receipt.json': {
    anonymous: toLogin,
    creator: 404,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'GET /clips/:clipId/withdraw': {
    anonymous: toLogin,
    creator: 404,
    buyer: 403,
    admin: 403,
    suspended: toLogin,
  },
  'POST /clips/:clipId/withdraw': {
    anonymous: toLogin,
    creator: 404,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
  'GET /admin/consent-texts': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'POST /admin/consent-texts': {
    anonymous: toLogin,
    creator: [302, '/admin/consent-texts'],
    buyer: [302, '/admin/consent-texts'],
    admin: 302,
    suspended: toLogin,
  },
  'GET /admin/consent-texts/:consentTextId': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'GET /admin/withdrawals': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
}

/** Another creator's clip and the grant it was uploaded under (with its consent text). */
export const consentParams: ParamFixture = async () => {
  const clip = await ClipFactory.create()
  const grant = await clip.related('consentRecord').query().firstOrFail()
  return {
    consentId: String(grant.id),
    clipId: clip.id,
    consentTextId: String(grant.consentTextId),
  }
}
