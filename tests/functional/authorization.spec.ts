import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import type User from '#models/user'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'

type Actor = 'anonymous' | 'creator' | 'buyer' | 'admin' | 'suspended'
const ACTORS: Actor[] = ['anonymous', 'creator', 'buyer', 'admin', 'suspended']

/**
 * Every route × every kind of visitor → the status they get. A route added to
 * start/routes.ts without a row here fails the first test. `302` rows name where to.
 */
const TABLE: Record<string, Record<Actor, number | [number, string]>> = {
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
}

function registeredRoutes() {
  const routes: string[] = []
  for (const list of Object.values(router.toJSON())) {
    for (const route of list) {
      for (const method of route.methods) {
        if (method === 'HEAD') continue
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

  for (const [route, expectations] of Object.entries(TABLE)) {
    test(`${route}`)
      .with(ACTORS.map((actor) => ({ actor, expected: expectations[actor] })))
      .run(async ({ client, assert }, { actor, expected }) => {
        await makeUser('admin')
        const [method, pattern] = route.split(' ')
        const url = pattern.replace(':token', 'not-a-valid-token')
        let request = client.request(url, method.toLowerCase() as any).redirects(0).withCsrfToken()
        request = request.header('accept', 'text/html').header('referer', url)
        if (actor !== 'anonymous') {
          const user: User = await makeUser(actor)
          request = request.loginAs(user)
        }
        const response = await request
        const [status, location] = Array.isArray(expected) ? expected : [expected, undefined]
        assert.equal(response.status(), status, `${actor} → ${route}`)
        if (location) assert.equal(response.header('location'), location, `${actor} → ${route} redirects`)
      })
      .tags(['authorization'])
  }
})
