import { apiComponents } from '#app/api/openapi_components'
import { apiPaths } from '#app/api/openapi_paths'

/*
 * The OpenAPI 3.1 document of the REST API v1, written by hand next to the code it describes.
 * tests/functional/api/openapi.spec.ts checks that its paths are exactly the /api/v1 routes
 * the router holds, so an endpoint cannot be added or removed without openapi_paths.ts.
 */

export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Athera REST API',
      version: '1.0.0',
      description:
        'Read the catalog, your licences and the signed download links of licensed dataset versions, and confirm deleting the files of withdrawn clips. ' +
        'Authenticate with an API token from your API tokens page (buyer accounts): `Authorization: Bearer ath_…`. ' +
        'Every error has the body `{"error":{"code":"…","message":"…"}}`. Requests are limited per token; a 429 says when to retry.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    tags: [{ name: 'catalog' }, { name: 'licences' }, { name: 'reference' }],
    paths: apiPaths(),
    components: apiComponents(),
  }
}
