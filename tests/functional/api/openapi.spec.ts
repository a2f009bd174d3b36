import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { isolate } from '#tests/helpers/reset'
import { API_SCOPE_NAMES } from '#app/accounts/api_token_service'

/** Every "METHOD /api/v1/…" the router holds, in OpenAPI's path syntax (`:slug` → `{slug}`). */
function apiV1Routes() {
  const routes = new Set<string>()
  for (const list of Object.values(router.toJSON())) {
    for (const route of list) {
      if (!route.pattern.startsWith('/api/v1/')) continue
      for (const method of route.methods) {
        if (method === 'HEAD') continue
        routes.add(`${method.toLowerCase()} ${route.pattern.replace(/:([A-Za-z_]+)/g, '{$1}')}`)
      }
    }
  }
  return [...routes].sort()
}

test.group('REST API v1: the OpenAPI document', (group) => {
  group.each.setup(isolate)

  test('is public, OpenAPI 3.1, and lists exactly the /api/v1 routes of the router', async ({
    client,
    assert,
  }) => {
    const response = await client.get('/api/v1/openapi.json')

    response.assertStatus(200)
    const document = response.body()
    assert.equal(document.openapi, '3.1.0')
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
      .sort()
    assert.deepEqual(documented, apiV1Routes())
  })

  test('declares the bearer scheme, a scope per operation, and the one error shape', async ({
    client,
    assert,
  }) => {
    const response = await client.get('/api/v1/openapi.json')
    const document = response.body()

    assert.deepInclude(document.components.securitySchemes.bearerAuth, {
      type: 'http',
      scheme: 'bearer',
    })
    for (const [path, operations] of Object.entries(
      document.paths as Record<string, Record<string, any>>
    )) {
      for (const operation of Object.values(operations)) {
        assert.isString(operation.operationId, path)
        if (path === '/api/v1/openapi.json') {
          assert.deepEqual(operation.security, [], 'the document itself is public')
          continue
        }
        assert.include(API_SCOPE_NAMES, operation['x-required-scope'], path)
        assert.deepEqual(
          operation.security,
          [{ bearerAuth: [operation['x-required-scope']] }],
          path
        )
        for (const status of ['401', '403', '429'])
          assert.property(operation.responses, status, `${path} documents ${status}`)
      }
    }
    const error = document.components.schemas.Error
    assert.deepEqual(error.required, ['error'])
    assert.deepEqual(error.properties.error.required, ['code', 'message'])
    assert.includeMembers(error.properties.error.properties.code.enum, [
      'invalid_token',
      'token_expired',
      'insufficient_scope',
      'rate_limited',
      'not_found',
      'validation_failed',
    ])
    // Every $ref points at something the document defines.
    for (const [, kind, name] of JSON.stringify(document).matchAll(
      /"#\/components\/(schemas|responses)\/([A-Za-z]+)"/g
    )) {
      assert.property(document.components[kind], name)
    }
  })
})
