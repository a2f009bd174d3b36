import type { ApiScope } from '#app/accounts/public'

// The pieces the OpenAPI document is written with: references, JSON Schema shorthands, the
// error answers and scope of an authenticated operation, query filters.

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
export const response = (name: string) => ({ $ref: `#/components/responses/${name}` })
export const nullable = (schema: Record<string, unknown>) => ({ oneOf: [schema, { type: 'null' }] })
export const string = { type: 'string' }
export const integer = { type: 'integer' }
export const dateTime = { type: 'string', format: 'date-time' }
export const uuid = { type: 'string', format: 'uuid' }
export const strings = { type: 'array', items: string }

export function object(properties: Record<string, unknown>, required = Object.keys(properties)) {
  return { type: 'object', properties, required }
}

/** The answers every authenticated endpoint can give besides its success. */
export function errors(...extra: string[]) {
  const all: Record<string, unknown> = {
    401: response('Unauthorized'),
    403: response('Forbidden'),
    429: response('RateLimited'),
  }
  for (const status of extra)
    all[status] = response(
      { 404: 'NotFound', 409: 'Unavailable', 422: 'ValidationFailed' }[status]!
    )
  return all
}

export function secured(scope: ApiScope, operation: Record<string, any>) {
  return {
    ...operation,
    'security': [{ bearerAuth: [scope] }],
    'x-required-scope': scope,
    'description': `${operation.description}\n\nNeeds a token with the \`${scope}\` scope.`,
  }
}

export const textFilter = (name: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type: 'string', maxLength: 200 },
})
export const numberFilter = (name: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type: 'number', minimum: 0 },
})
