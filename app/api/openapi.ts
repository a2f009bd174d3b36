import { API_ERROR_CODES } from '#exceptions/api_error'
import { API_SCOPES, type ApiScope } from '#app/accounts/public'
import { CATALOG_PAGE_SIZE, CATALOG_SORTS } from '#app/catalog/public'

/*
 * The OpenAPI 3.1 document of the REST API v1, written by hand next to the code it describes.
 * tests/functional/api/openapi.spec.ts checks that its paths are exactly the /api/v1 routes
 * the router holds, so an endpoint cannot be added or removed without this file.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const response = (name: string) => ({ $ref: `#/components/responses/${name}` })
const nullable = (schema: Record<string, unknown>) => ({ oneOf: [schema, { type: 'null' }] })
const string = { type: 'string' }
const integer = { type: 'integer' }
const dateTime = { type: 'string', format: 'date-time' }
const uuid = { type: 'string', format: 'uuid' }
const strings = { type: 'array', items: string }

function object(properties: Record<string, unknown>, required = Object.keys(properties)) {
  return { type: 'object', properties, required }
}

/** The answers every authenticated endpoint can give besides its success. */
function errors(...extra: string[]) {
  const all: Record<string, unknown> = {
    401: response('Unauthorized'),
    403: response('Forbidden'),
    429: response('RateLimited'),
  }
  for (const status of extra) all[status] = response({ 404: 'NotFound', 409: 'Unavailable', 422: 'ValidationFailed' }[status]!)
  return all
}

function secured(scope: ApiScope, operation: Record<string, any>) {
  return {
    ...operation,
    'security': [{ bearerAuth: [scope] }],
    'x-required-scope': scope,
    'description': `${operation.description}\n\nNeeds a token with the \`${scope}\` scope.`,
  }
}

const textFilter = (name: string, description: string) => ({ name, in: 'query', required: false, description, schema: { type: 'string', maxLength: 200 } })
const numberFilter = (name: string, description: string) => ({ name, in: 'query', required: false, description, schema: { type: 'number', minimum: 0 } })
/**
 * Whether a version can be bought or claimed now. Only the latest version of a published
 * dataset with licensable clips is; older versions stay downloadable for their licence holders.
 */
const saleSchema = {
  purchasable: { type: 'boolean', description: 'True when this version can be bought or claimed now.' },
  not_purchasable_reason: nullable({ ...string, description: 'Why it cannot, in one sentence; null when it can.' }),
}
const slugParam = { name: 'slug', in: 'path', required: true, description: 'The dataset’s slug, as in its catalog URL.', schema: { type: 'string', pattern: '^[a-z0-9-]{1,220}$' } }

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
    paths: {
      '/api/v1/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          tags: ['reference'],
          summary: 'This document',
          description: 'The OpenAPI 3.1 description of the API. Public: no token needed.',
          security: [],
          responses: { 200: { description: 'The document.', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/api/v1/catalog': {
        get: secured('catalog:read', {
          operationId: 'searchCatalog',
          tags: ['catalog'],
          summary: 'Search the catalog',
          description: `Published datasets, ${CATALOG_PAGE_SIZE} per page, with full-text search and filters. Follow \`next_cursor\` (or \`links.next\`) for the next page; it is null on the last.`,
          parameters: [
            textFilter('q', 'Full-text search over titles, descriptions and tags (web search syntax: quotes, -exclusions, or).'),
            textFilter('sport', 'Datasets with clips of this sport.'),
            textFilter('activity', 'Datasets with clips of this activity.'),
            textFilter('skill', 'Datasets with clips of this skill level.'),
            textFilter('angle', 'Datasets with clips filmed from this camera angle.'),
            { name: 'licence', in: 'query', required: false, description: 'Licence type.', schema: { type: 'string', enum: ['research', 'commercial'] } },
            numberFilter('price_min', 'Lowest price, in currency units.'),
            numberFilter('price_max', 'Highest price, in currency units.'),
            numberFilter('clips_min', 'Fewest clips.'),
            numberFilter('clips_max', 'Most clips.'),
            numberFilter('minutes_min', 'Shortest total duration, in minutes.'),
            numberFilter('minutes_max', 'Longest total duration, in minutes.'),
            { name: 'sort', in: 'query', required: false, description: 'Order of results.', schema: { type: 'string', enum: CATALOG_SORTS.map((sort) => sort.value), default: 'newest' } },
            { name: 'cursor', in: 'query', required: false, description: '`next_cursor` of the previous page, as it was given.', schema: { type: 'string', maxLength: 500 } },
          ],
          responses: { 200: { description: 'One page of datasets.', content: { 'application/json': { schema: ref('CatalogPage') } } }, ...errors('422') },
        }),
      },
      '/api/v1/datasets/{slug}': {
        get: secured('catalog:read', {
          operationId: 'getDataset',
          tags: ['catalog'],
          summary: 'A published dataset',
          description: 'The dataset, its published versions, and your live licence for the latest version (or null).',
          parameters: [slugParam],
          responses: { 200: { description: 'The dataset.', content: { 'application/json': { schema: ref('Dataset') } } }, ...errors('404') },
        }),
      },
      '/api/v1/datasets/{slug}/versions/{version}': {
        get: secured('catalog:read', {
          operationId: 'getDatasetVersion',
          tags: ['catalog'],
          summary: 'One version of a dataset',
          description: 'An immutable dataset version: price, licence type, statistics, manifest hash and its clips (metadata only; clips withdrawn since publication are counted, not listed).',
          parameters: [slugParam, { name: 'version', in: 'path', required: true, description: 'The version number (1, 2, …).', schema: { type: 'integer', minimum: 1 } }],
          responses: { 200: { description: 'The version.', content: { 'application/json': { schema: ref('DatasetVersion') } } }, ...errors('404', '409') },
        }),
      },
      '/api/v1/licences': {
        get: secured('licences:read', {
          operationId: 'listLicences',
          tags: ['licences'],
          summary: 'Your licences',
          description: 'Every licence of your account, newest first, live and revoked.',
          responses: { 200: { description: 'Your licences.', content: { 'application/json': { schema: ref('LicenceList') } } }, ...errors() },
        }),
      },
      '/api/v1/licences/{licenceId}/manifest': {
        get: secured('downloads:read', {
          operationId: 'getLicenceManifest',
          tags: ['licences'],
          summary: 'Signed download links of a licensed version',
          description:
            'Every file of the licensed version with a presigned GET URL valid for `ttl_seconds` (15 minutes): call again for fresh links. ' +
            'Clips withdrawn since publication are listed apart, with the paths to delete from your copies. Each call is recorded in your downloads. ' +
            'Another account’s licence answers 404; a revoked licence 403.',
          parameters: [{ name: 'licenceId', in: 'path', required: true, description: 'The licence id.', schema: uuid }],
          responses: { 200: { description: 'The manifest.', content: { 'application/json': { schema: ref('Manifest') } } }, ...errors('404', '409') },
        }),
      },
      '/api/v1/licences/{licenceId}/withdrawals': {
        get: secured('licences:read', {
          operationId: 'listWithdrawalNotices',
          tags: ['licences'],
          summary: 'Withdrawal notices of a licence',
          description:
            'One notice per clip of the licensed version whose creator withdrew consent after you got the licence: the files of your export to delete, ' +
            'and whether you confirmed deleting them (`status`). Newest first. The same notice is sent to your webhook as a `clip.withdrawn` event. ' +
            'Another account’s licence answers 404.',
          parameters: [{ name: 'licenceId', in: 'path', required: true, description: 'The licence id.', schema: uuid }],
          responses: { 200: { description: 'The notices.', content: { 'application/json': { schema: ref('WithdrawalNoticeList') } } }, ...errors('404') },
        }),
      },
      '/api/v1/licences/{licenceId}/withdrawals/{noticeId}/ack': {
        post: secured('withdrawals:ack', {
          operationId: 'acknowledgeWithdrawalNotice',
          tags: ['licences'],
          summary: 'Confirm that a notice’s files are deleted',
          description:
            'Records, once and for good, that you deleted the files the notice names. Idempotent: a second call records nothing new and answers `recorded: false` with the first confirmation. ' +
            'No body. Another account’s licence, or a notice of another licence, answers 404.',
          parameters: [
            { name: 'licenceId', in: 'path', required: true, description: 'The licence id.', schema: uuid },
            { name: 'noticeId', in: 'path', required: true, description: 'The notice id (`id` in the list, `data.notice_id` in the webhook event).', schema: { type: 'integer', minimum: 1 } },
          ],
          responses: { 200: { description: 'The notice, confirmed.', content: { 'application/json': { schema: ref('WithdrawalAck') } } }, ...errors('404') },
        }),
      },
    },
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'ath_<id>.<secret>',
          description: `An API token. Scopes: ${Object.entries(API_SCOPES).map(([scope, what]) => `\`${scope}\` (${what})`).join('; ')}.`,
        },
      },
      responses: {
        Unauthorized: {
          description: 'No token, or a token that is unknown, revoked or expired (`unauthenticated`, `invalid_token`, `token_expired`).',
          headers: { 'WWW-Authenticate': { description: 'Bearer challenge (RFC 6750).', schema: string } },
          content: { 'application/json': { schema: ref('Error') } },
        },
        Forbidden: {
          description: 'The token lacks the scope (`insufficient_scope`), the account is not a buyer (`wrong_role`) or is suspended (`account_suspended`), or the licence is revoked (`forbidden`).',
          content: { 'application/json': { schema: ref('Error') } },
        },
        NotFound: { description: 'No such dataset, version or licence of yours (`not_found`).', content: { 'application/json': { schema: ref('Error') } } },
        ValidationFailed: { description: 'A query parameter is not valid (`validation_failed`).', content: { 'application/json': { schema: ref('Error') } } },
        Unavailable: { description: 'The version’s files cannot be delivered right now (`unavailable`).', content: { 'application/json': { schema: ref('Error') } } },
        RateLimited: {
          description: 'Too many requests with this token (`rate_limited`).',
          headers: {
            'Retry-After': { description: 'Seconds until a request is accepted again.', schema: integer },
            'X-RateLimit-Limit': { description: 'Requests allowed per window.', schema: integer },
            'X-RateLimit-Remaining': { description: 'Requests left in the window.', schema: integer },
          },
          content: { 'application/json': { schema: ref('Error') } },
        },
      },
      schemas: {
        Error: object({
          error: {
            type: 'object',
            properties: {
              code: { type: 'string', enum: [...API_ERROR_CODES] },
              message: { type: 'string', description: 'A sentence saying what happened and what to do.' },
              details: {
                type: 'array',
                description: 'Validation failures, one per field.',
                items: object({ field: string, message: string, rule: string }),
              },
            },
            required: ['code', 'message'],
          },
        }),
        Price: object({ amount_cents: integer, currency: string, label: { type: 'string', description: '"Free" or a formatted amount.' } }),
        CatalogItem: object({
          id: uuid,
          slug: string,
          title: string,
          sports: strings,
          activities: strings,
          licence_type: { type: 'string', enum: ['research', 'commercial'] },
          price: ref('Price'),
          clip_count: integer,
          duration_ms: integer,
          thumbnail_url: nullable({ type: 'string', format: 'uri' }),
          preview_url: nullable({ type: 'string', format: 'uri' }),
          links: object({ self: string }),
        }),
        CatalogPage: object({
          data: { type: 'array', items: ref('CatalogItem') },
          page_size: integer,
          next_cursor: nullable(string),
          links: object({ next: nullable(string) }),
        }),
        HeldLicence: nullable(object({ id: uuid, links: object({ manifest: string }) })),
        Dataset: object({
          id: uuid,
          slug: string,
          title: string,
          description: string,
          tags: strings,
          sports: strings,
          activities: strings,
          skill_levels: strings,
          camera_angles: strings,
          licence_type: { type: 'string', enum: ['research', 'commercial'] },
          price: ref('Price'),
          clip_count: integer,
          duration_ms: integer,
          published_at: dateTime,
          latest_version: integer,
          ...saleSchema,
          versions: {
            type: 'array',
            items: object({ id: uuid, number: integer, published_at: dateTime, licence_type: string, price: ref('Price'), clip_count: integer, ...saleSchema, links: object({ self: string }) }),
          },
          licence: ref('HeldLicence'),
          links: object({ self: string, page: string }),
        }),
        DatasetVersion: object({
          id: uuid,
          number: integer,
          dataset: object({ slug: string, title: string }),
          published_at: dateTime,
          licence_type: string,
          price: ref('Price'),
          stats: object({ clips: integer, duration_ms: integer, people: integer, keypoint_frames: integer }),
          manifest_sha256: string,
          ...saleSchema,
          withdrawn_clips: integer,
          clips: {
            type: 'array',
            items: object({
              id: uuid,
              position: integer,
              title: string,
              sport: string,
              activity: nullable(string),
              skill_level: nullable(string),
              camera_angle: nullable(string),
              duration_ms: integer,
              file_count: integer,
              bytes: integer,
            }),
          },
          licence: ref('HeldLicence'),
          links: object({ self: string, dataset: string }),
        }),
        Licence: object({
          id: uuid,
          status: { type: 'string', enum: ['live', 'revoked'] },
          source: { type: 'string', enum: ['purchase', 'free', 'grant'] },
          licence_type: { type: 'string', enum: ['research', 'commercial'] },
          terms: ref('LicenceTerms'),
          created_at: dateTime,
          revoked_at: nullable(dateTime),
          revoke_reason: nullable(string),
          dataset: object({ slug: string, title: string }),
          version: object({ id: uuid, number: integer }),
          withdrawn_clips: integer,
          links: object({ manifest: nullable(string), page: string }),
        }),
        LicenceTerms: {
          ...object({ version: integer, sha256: string, title: string }),
          description: 'The licence text the licence cites (the one its buyer agreed to): its version per licence type, title and the SHA-256 of its body.',
        },
        LicenceTermsWithBody: {
          ...object({ version: integer, sha256: string, title: string, body: { type: 'string', description: 'The full text in Markdown, the same bytes as LICENCE.md in the ZIP; its SHA-256 is `sha256`.' } }),
          description: 'The licence text the licence cites, with its full body.',
        },
        LicenceList: object({ data: { type: 'array', items: ref('Licence') } }),
        WithdrawalNotice: object({
          id: integer,
          licence_id: uuid,
          dataset: object({ slug: string, title: string }),
          version: object({ id: uuid, number: integer }),
          clip_id: uuid,
          clip_title: string,
          files_to_delete: { ...strings, description: 'Paths in your export (videos/…, keypoints/…, metadata/…, thumbnails/…).' },
          withdrawn_at: dateTime,
          notified_at: dateTime,
          status: { type: 'string', enum: ['pending', 'acknowledged'] },
          acknowledged_at: nullable(dateTime),
          acknowledged_via: nullable({ type: 'string', enum: ['page', 'api'] }),
          links: object({ acknowledge: string, page: string }),
        }),
        WithdrawalNoticeList: object({ data: { type: 'array', items: ref('WithdrawalNotice') } }),
        WithdrawalAck: object({
          data: ref('WithdrawalNotice'),
          recorded: { type: 'boolean', description: 'False when the notice was already confirmed: nothing new was recorded.' },
        }),
        Manifest: object({
          licence: object({ id: uuid, type: string, terms: ref('LicenceTermsWithBody') }),
          dataset: object({ title: string, slug: string }),
          version: object({ id: uuid, number: integer, manifest_sha256: string }),
          expires_at: dateTime,
          ttl_seconds: integer,
          files: {
            type: 'array',
            items: object({
              path: { type: 'string', description: 'Path inside the dataset (videos/…, keypoints/…, metadata/…, thumbnails/…).' },
              kind: string,
              bytes: integer,
              sha256: string,
              url: { type: 'string', format: 'uri', description: 'Presigned GET URL, valid until expires_at.' },
            }),
          },
          withdrawn: {
            type: 'array',
            items: object({ clip_id: uuid, title: string, withdrawn_at: nullable(dateTime), delete_paths: strings }),
          },
        }),
      },
    },
  }
}
