import type { ParamFixture, RouteTable } from '#tests/helpers/route_tables/types'

/** Accounts, dashboards and health. */
export const coreRoutes: RouteTable = {
  'GET /': { anonymous: 200, creator: 200, buyer: 200, admin: 200, suspended: 200 },
  'GET /healthz': { anonymous: 200, creator: 200, buyer: 200, admin: 200, suspended: 200 },
  'GET /readyz': { anonymous: 200, creator: 200, buyer: 200, admin: 200, suspended: 200 },
  // An admin exists in this table's instance, so the first-run page is gone for everyone.
  'GET /setup': { anonymous: 404, creator: 404, buyer: 404, admin: 404, suspended: 404 },
  'POST /setup': { anonymous: 404, creator: 404, buyer: 404, admin: 404, suspended: 404 },
  'GET /signup': { anonymous: 200, creator: [302, '/dashboard'], buyer: [302, '/dashboard'], admin: [302, '/dashboard'], suspended: 200 },
  'POST /signup': { anonymous: 302, creator: [302, '/dashboard'], buyer: [302, '/dashboard'], admin: [302, '/dashboard'], suspended: 302 },
  'GET /login': { anonymous: 200, creator: [302, '/dashboard'], buyer: [302, '/dashboard'], admin: [302, '/dashboard'], suspended: 200 },
  'POST /login': { anonymous: 302, creator: [302, '/dashboard'], buyer: [302, '/dashboard'], admin: [302, '/dashboard'], suspended: 302 },
  'GET /password/forgot': { anonymous: 200, creator: [302, '/dashboard'], buyer: [302, '/dashboard'], admin: [302, '/dashboard'], suspended: 200 },
  'POST /password/forgot': { anonymous: 302, creator: [302, '/dashboard'], buyer: [302, '/dashboard'], admin: [302, '/dashboard'], suspended: 302 },
  'GET /password/reset/:token': { anonymous: 410, creator: [302, '/dashboard'], buyer: [302, '/dashboard'], admin: [302, '/dashboard'], suspended: 410 },
  'POST /password/reset/:token': { anonymous: 302, creator: [302, '/dashboard'], buyer: [302, '/dashboard'], admin: [302, '/dashboard'], suspended: 302 },
  'POST /logout': { anonymous: [302, '/login'], creator: [302, '/'], buyer: [302, '/'], admin: [302, '/'], suspended: [302, '/login'] },
  'GET /dashboard': { anonymous: [302, '/login'], creator: [302, '/creator'], buyer: [302, '/buyer'], admin: [302, '/admin'], suspended: [302, '/login'] },
  'GET /creator': { anonymous: [302, '/login'], creator: 200, buyer: 403, admin: 403, suspended: [302, '/login'] },
  'GET /buyer': { anonymous: [302, '/login'], creator: 403, buyer: 200, admin: 403, suspended: [302, '/login'] },
  'GET /admin': { anonymous: [302, '/login'], creator: 403, buyer: 403, admin: 200, suspended: [302, '/login'] },
  'GET /account/password': { anonymous: [302, '/login'], creator: 200, buyer: 200, admin: 200, suspended: [302, '/login'] },
  'PUT /account/password': { anonymous: [302, '/login'], creator: 302, buyer: 302, admin: 302, suspended: [302, '/login'] },
  'GET /account/sessions': { anonymous: [302, '/login'], creator: 200, buyer: 200, admin: 200, suspended: [302, '/login'] },
  'DELETE /account/sessions': { anonymous: [302, '/login'], creator: [302, '/account/sessions'], buyer: [302, '/account/sessions'], admin: [302, '/account/sessions'], suspended: [302, '/login'] },
  'DELETE /account/sessions/:handle': { anonymous: [302, '/login'], creator: [302, '/account/sessions'], buyer: [302, '/account/sessions'], admin: [302, '/account/sessions'], suspended: [302, '/login'] },
}

export const coreParams: ParamFixture = async () => ({ token: 'not-a-valid-token', handle: 'a'.repeat(24) })
