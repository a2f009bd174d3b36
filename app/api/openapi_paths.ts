import { CATALOG_PAGE_SIZE, CATALOG_SORTS } from '#app/catalog/public'
import { errors, numberFilter, ref, secured, textFilter, uuid } from '#app/api/openapi_builders'

const slugParam = {
  name: 'slug',
  in: 'path',
  required: true,
  description: 'The dataset’s slug, as in its catalog URL.',
  schema: { type: 'string', pattern: '^[a-z0-9-]{1,220}$' },
}

/** The operations of /api/v1, by path: the OpenAPI document's `paths`. */
export function apiPaths() {
  return {
    '/api/v1/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        tags: ['reference'],
        summary: 'This document',
        description: 'The OpenAPI 3.1 description of the API. Public: no token needed.',
        security: [],
        responses: {
          200: {
            description: 'The document.',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
    '/api/v1/catalog': {
      get: secured('catalog:read', {
        operationId: 'searchCatalog',
        tags: ['catalog'],
        summary: 'Search the catalog',
        description: `Published datasets, ${CATALOG_PAGE_SIZE} per page, with full-text search and filters. Follow \`next_cursor\` (or \`links.next\`) for the next page; it is null on the last.`,
        parameters: [
          textFilter(
            'q',
            'Full-text search over titles, descriptions and tags (web search syntax: quotes, -exclusions, or).'
          ),
          textFilter('sport', 'Datasets with clips of this sport.'),
          textFilter('activity', 'Datasets with clips of this activity.'),
          textFilter('skill', 'Datasets with clips of this skill level.'),
          textFilter('angle', 'Datasets with clips filmed from this camera angle.'),
          {
            name: 'licence',
            in: 'query',
            required: false,
            description: 'Licence type.',
            schema: { type: 'string', enum: ['research', 'commercial'] },
          },
          numberFilter('price_min', 'Lowest price, in currency units.'),
          numberFilter('price_max', 'Highest price, in currency units.'),
          numberFilter('clips_min', 'Fewest clips.'),
          numberFilter('clips_max', 'Most clips.'),
          numberFilter('minutes_min', 'Shortest total duration, in minutes.'),
          numberFilter('minutes_max', 'Longest total duration, in minutes.'),
          {
            name: 'sort',
            in: 'query',
            required: false,
            description: 'Order of results.',
            schema: {
              type: 'string',
              enum: CATALOG_SORTS.map((sort) => sort.value),
              default: 'newest',
            },
          },
          {
            name: 'cursor',
            in: 'query',
            required: false,
            description: '`next_cursor` of the previous page, as it was given.',
            schema: { type: 'string', maxLength: 500 },
          },
        ],
        responses: {
          200: {
            description: 'One page of datasets.',
            content: { 'application/json': { schema: ref('CatalogPage') } },
          },
          ...errors('422'),
        },
      }),
    },
    '/api/v1/datasets/{slug}': {
      get: secured('catalog:read', {
        operationId: 'getDataset',
        tags: ['catalog'],
        summary: 'A published dataset',
        description:
          'The dataset, its published versions, and your live licence for the latest version (or null).',
        parameters: [slugParam],
        responses: {
          200: {
            description: 'The dataset.',
            content: { 'application/json': { schema: ref('Dataset') } },
          },
          ...errors('404'),
        },
      }),
    },
    '/api/v1/datasets/{slug}/versions/{version}': {
      get: secured('catalog:read', {
        operationId: 'getDatasetVersion',
        tags: ['catalog'],
        summary: 'One version of a dataset',
        description:
          'An immutable dataset version: price, licence type, statistics, manifest hash and its clips (metadata only; clips withdrawn since publication are counted, not listed).',
        parameters: [
          slugParam,
          {
            name: 'version',
            in: 'path',
            required: true,
            description: 'The version number (1, 2, …).',
            schema: { type: 'integer', minimum: 1 },
          },
        ],
        responses: {
          200: {
            description: 'The version.',
            content: { 'application/json': { schema: ref('DatasetVersion') } },
          },
          ...errors('404', '409'),
        },
      }),
    },
    '/api/v1/licences': {
      get: secured('licences:read', {
        operationId: 'listLicences',
        tags: ['licences'],
        summary: 'Your licences',
        description: 'Every licence of your account, newest first, live and revoked.',
        responses: {
          200: {
            description: 'Your licences.',
            content: { 'application/json': { schema: ref('LicenceList') } },
          },
          ...errors(),
        },
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
        parameters: [
          {
            name: 'licenceId',
            in: 'path',
            required: true,
            description: 'The licence id.',
            schema: uuid,
          },
        ],
        responses: {
          200: {
            description: 'The manifest.',
            content: { 'application/json': { schema: ref('Manifest') } },
          },
          ...errors('404', '409'),
        },
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
        parameters: [
          {
            name: 'licenceId',
            in: 'path',
            required: true,
            description: 'The licence id.',
            schema: uuid,
          },
        ],
        responses: {
          200: {
            description: 'The notices.',
            content: { 'application/json': { schema: ref('WithdrawalNoticeList') } },
          },
          ...errors('404'),
        },
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
          {
            name: 'licenceId',
            in: 'path',
            required: true,
            description: 'The licence id.',
            schema: uuid,
          },
          {
            name: 'noticeId',
            in: 'path',
            required: true,
            description: 'The notice id (`id` in the list, `data.notice_id` in the webhook event).',
            schema: { type: 'integer', minimum: 1 },
          },
        ],
        responses: {
          200: {
            description: 'The notice, confirmed.',
            content: { 'application/json': { schema: ref('WithdrawalAck') } },
          },
          ...errors('404'),
        },
      }),
    },
  }
}
