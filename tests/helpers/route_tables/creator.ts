import type { ParamFixture, RouteTable } from '#tests/helpers/route_tables/types'

const toLogin: [number, string] = [302, '/login']

/**
 * Stripe Connect onboarding (GET /creator itself is in core.ts). The table's instance has no
 * Stripe keys: a creator is sent back to the dashboard with "payments are not configured".
 * Buyers and admins are refused by bouncer: 403 on a GET, sent back to the referer on the
 * POST (302, with the refusal flashed). Suspended creators are logged out by the auth guard.
 * tests/functional/creator/connect.spec.ts covers the flows against the fake Stripe.
 */
export const creatorRoutes: RouteTable = {
  'POST /creator/stripe/connect': {
    anonymous: toLogin,
    creator: [302, '/creator'],
    buyer: [302, '/creator/stripe/connect'],
    admin: [302, '/creator/stripe/connect'],
    suspended: toLogin,
  },
  'GET /creator/stripe/refresh': {
    anonymous: toLogin,
    creator: [302, '/creator'],
    buyer: 403,
    admin: 403,
    suspended: toLogin,
  },
  'GET /creator/stripe/return': {
    anonymous: toLogin,
    creator: [302, '/creator'],
    buyer: 403,
    admin: 403,
    suspended: toLogin,
  },
}

export const creatorParams: ParamFixture = async () => ({})
