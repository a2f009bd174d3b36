import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import User from '#models/user'
import { API_SCOPE_NAMES } from '#app/accounts/api_token_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'

import { ACTORS, type ParamFixture, type RouteTable } from '#tests/helpers/route_tables/types'
import { coreParams, coreRoutes } from '#tests/helpers/route_tables/core'
import { uploadParams, uploadRoutes } from '#tests/helpers/route_tables/uploads'
import { consentParams, consentRoutes } from '#tests/helpers/route_tables/consent'
import { clipParams, clipRoutes } from '#tests/helpers/route_tables/clips'
import { downloadParams, downloadRoutes } from '#tests/helpers/route_tables/downloads'
import { commerceParams, commerceRoutes } from '#tests/helpers/route_tables/commerce'
import { marketplaceParams, marketplaceRoutes } from '#tests/helpers/route_tables/marketplace'
import { creatorParams, creatorRoutes } from '#tests/helpers/route_tables/creator'
import { apiParams, apiRoutes } from '#tests/helpers/route_tables/api'
import { moderationParams, moderationRoutes } from '#tests/helpers/route_tables/moderation'
import { adminLedgerParams, adminLedgerRoutes } from '#tests/helpers/route_tables/admin_ledger'
import { adminUsersParams, adminUsersRoutes } from '#tests/helpers/route_tables/admin_users'
import {
  withdrawalNoticeParams,
  withdrawalNoticeRoutes,
} from '#tests/helpers/route_tables/withdrawal_notices'

/**
 * Every route × every kind of visitor → the status they get. A route registered without a
 * row in one of the tables fails the first test. Each table's rows get the path parameters
 * of that table's own fixture (running every fixture for every row made this file slower
 * with each table added).
 */
const TABLES: [RouteTable, ParamFixture][] = [
  [coreRoutes, coreParams],
  [uploadRoutes, uploadParams],
  [consentRoutes, consentParams],
  [clipRoutes, clipParams],
  [downloadRoutes, downloadParams],
  [commerceRoutes, commerceParams],
  [marketplaceRoutes, marketplaceParams],
  [creatorRoutes, creatorParams],
  [apiRoutes, apiParams],
  [moderationRoutes, moderationParams],
  [adminLedgerRoutes, adminLedgerParams],
  [adminUsersRoutes, adminUsersParams],
  [withdrawalNoticeRoutes, withdrawalNoticeParams],
]
const TABLE: RouteTable = Object.assign({}, ...TABLES.map(([table]) => table))

function registeredRoutes() {
  const routes: string[] = []
  for (const list of Object.values(router.toJSON())) {
    for (const route of list) {
      for (const method of route.methods) {
        // GET routes answer HEAD too; only a route of its own (tus) needs a row.
        if (method === 'HEAD' && route.methods.includes('GET')) continue
        routes.push(`${method} ${route.pattern}`)
      }
    }
  }
  return routes.sort()
}

test.group('Authorization: every route × role', (group) => {
  group.each.setup(isolate)

  test('the table lists exactly the registered routes', ({ assert }) => {
    assert.deepEqual(registeredRoutes(), Object.keys(TABLE).sort())
  })

  for (const [route, expectations, fixture] of TABLES.flatMap(([table, params]) =>
    Object.entries(table).map(([row, expected]) => [row, expected, params] as const)
  )) {
    test(`${route}`)
      .with(ACTORS.map((actor) => ({ actor, expected: expectations[actor] })))
      .run(async ({ client, assert }, { actor, expected }) => {
        await makeUser('admin')
        const [method, pattern] = route.split(' ')
        const params = await fixture()
        const url = pattern.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
          if (!(name in params)) throw new Error(`no fixture gives :${name} for ${route}`)
          return params[name]
        })
        let request = client
          .request(url, method.toLowerCase() as any)
          .redirects(0)
          .withCsrfToken()
        request = request.header('accept', 'text/html').header('referer', url)
        if (actor !== 'anonymous') {
          const user: User = await makeUser(actor)
          // The API knows no sessions: its rows use a token of the actor with every scope.
          if (pattern.startsWith('/api/')) {
            const token = await User.accessTokens.create(user, API_SCOPE_NAMES, {
              name: 'authorization table',
            })
            request = request.bearerToken(token.value!.release())
          } else {
            request = request.loginAs(user)
          }
        }
        const response = await request
        const [status, location] = Array.isArray(expected) ? expected : [expected, undefined]
        assert.equal(response.status(), status, `${actor} → ${route}`)
        if (location)
          assert.equal(response.header('location'), location, `${actor} → ${route} redirects`)
      })
      .tags(['authorization'])
  }
})
