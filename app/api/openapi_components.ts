import { API_ERROR_CODES } from '#exceptions/api_error'
import { API_SCOPES } from '#app/accounts/public'
import {
  dateTime,
  integer,
  nullable,
  object,
  ref,
  string,
  strings,
  uuid,
} from '#app/api/openapi_builders'

/**
 * Whether a version can be bought or claimed now. Only the latest version of a published
 * dataset with licensable clips is; older versions stay downloadable for their licence holders.
 */
const saleSchema = {
  purchasable: {
    type: 'boolean',
    description: 'True when this version can be bought or claimed now.',
  },
  not_purchasable_reason: nullable({
    ...string,
    description: 'Why it cannot, in one sentence; null when it can.',
  }),
}

/** The OpenAPI document's `components`: the bearer scheme, the shared error answers, the schemas. */
export function apiComponents() {
  return {
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'ath_<id>.<secret>',
        description: `An API token. Scopes: ${Object.entries(API_SCOPES)
          .map(([scope, what]) => `\`${scope}\` (${what})`)
          .join('; ')}.`,
      },
    },
    responses: {
      Unauthorized: {
        description:
          'No token, or a token that is unknown, revoked or expired (`unauthenticated`, `invalid_token`, `token_expired`).',
        headers: {
          'WWW-Authenticate': { description: 'Bearer challenge (RFC 6750).', schema: string },
        },
        content: { 'application/json': { schema: ref('Error') } },
      },
      Forbidden: {
        description:
          'The token lacks the scope (`insufficient_scope`), the account is not a buyer (`wrong_role`) or is suspended (`account_suspended`), or the licence is revoked (`forbidden`).',
        content: { 'application/json': { schema: ref('Error') } },
      },
      NotFound: {
        description: 'No such dataset, version or licence of yours (`not_found`).',
        content: { 'application/json': { schema: ref('Error') } },
      },
      ValidationFailed: {
        description: 'A query parameter is not valid (`validation_failed`).',
        content: { 'application/json': { schema: ref('Error') } },
      },
      Unavailable: {
        description: 'The version’s files cannot be delivered right now (`unavailable`).',
        content: { 'application/json': { schema: ref('Error') } },
      },
      RateLimited: {
        description: 'Too many requests with this token (`rate_limited`).',
        headers: {
          'Retry-After': {
            description: 'Seconds until a request is accepted again.',
            schema: integer,
          },
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
            message: {
              type: 'string',
              description: 'A sentence saying what happened and what to do.',
            },
            details: {
              type: 'array',
              description: 'Validation failures, one per field.',
              items: object({ field: string, message: string, rule: string }),
            },
          },
          required: ['code', 'message'],
        },
      }),
      Price: object({
        amount_cents: integer,
        currency: string,
        label: { type: 'string', description: '"Free" or a formatted amount.' },
      }),
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
          items: object({
            id: uuid,
            number: integer,
            published_at: dateTime,
            licence_type: string,
            price: ref('Price'),
            clip_count: integer,
            ...saleSchema,
            links: object({ self: string }),
          }),
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
        stats: object({
          clips: integer,
          duration_ms: integer,
          people: integer,
          keypoint_frames: integer,
        }),
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
        description:
          'The licence text the licence cites (the one its buyer agreed to): its version per licence type, title and the SHA-256 of its body.',
      },
      LicenceTermsWithBody: {
        ...object({
          version: integer,
          sha256: string,
          title: string,
          body: {
            type: 'string',
            description:
              'The full text in Markdown, the same bytes as LICENCE.md in the ZIP; its SHA-256 is `sha256`.',
          },
        }),
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
        files_to_delete: {
          ...strings,
          description: 'Paths in your export (videos/…, keypoints/…, metadata/…, thumbnails/…).',
        },
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
        recorded: {
          type: 'boolean',
          description: 'False when the notice was already confirmed: nothing new was recorded.',
        },
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
            path: {
              type: 'string',
              description:
                'Path inside the dataset (videos/…, keypoints/…, metadata/…, thumbnails/…).',
            },
            kind: string,
            bytes: integer,
            sha256: string,
            url: {
              type: 'string',
              format: 'uri',
              description: 'Presigned GET URL, valid until expires_at.',
            },
          }),
        },
        withdrawn: {
          type: 'array',
          items: object({
            clip_id: uuid,
            title: string,
            withdrawn_at: nullable(dateTime),
            delete_paths: strings,
          }),
        },
      }),
    },
  }
}
