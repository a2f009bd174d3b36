import app from '@adonisjs/core/services/app'
import type { ParamFixture, RouteTable } from '#tests/helpers/route_tables/types'
import ClipAsset from '#models/clip_asset'
import { ClipFactory } from '#database/factories/clip_factory'
import { StorageService } from '#app/core/storage_service'

const toLogin: [number, string] = [302, '/login']

/**
 * The admin moderation queue. `:clipId` is a processed clip of some creator with a stored
 * regions.json. Only admins get in: creators and buyers get the 403 page on a GET, and a
 * refused form POST is sent back (302) like every form. The admin's POSTs without fields are
 * sent back too: the approve goes through (then back to the queue), the reject lacks its
 * reason, the bulk action its clips. tests/functional/moderation checks what is (not) written.
 */
export const moderationRoutes: RouteTable = {
  'GET /admin/moderation': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'GET /admin/moderation/:clipId': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'GET /admin/moderation/:clipId/regions.json': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'POST /admin/moderation/:clipId/approve': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: [302, '/admin/moderation'],
    suspended: toLogin,
  },
  'POST /admin/moderation/:clipId/reject': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: [302, '/admin/moderation'],
    suspended: toLogin,
  },
  // Redactions: the admin's POSTs without fields (or on a clip without metadata.json) are refused and sent back to the review.
  'POST /admin/moderation/:clipId/redactions': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
  'GET /admin/moderation/:clipId/redactions/:id': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'POST /admin/moderation/:clipId/redactions/:id/render': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
  'POST /admin/moderation/:clipId/redactions/:id/cancel': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
  'POST /admin/moderation/bulk': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: [302, '/admin/moderation'],
    suspended: toLogin,
  },
}

export const moderationParams: ParamFixture = async () => {
  const clip = await ClipFactory.apply('processed').create()
  const storage = await app.container.make(StorageService)
  const data = Buffer.from(
    JSON.stringify({ schema: 'athera.regions/1', clipId: clip.id, frames: [], frameCount: 0 })
  )
  const key = `clips/${clip.id}/regions.json`
  await storage.putStream('processed', key, data, data.length, {
    'Content-Type': 'application/json',
  })
  await ClipAsset.create({
    clipId: clip.id,
    kind: 'regions',
    bucket: 'processed',
    key,
    bytes: data.length,
    sha256: 'd'.repeat(64),
    contentType: 'application/json',
  })
  return { clipId: clip.id, id: '1' }
}
