import type { ParamFixture, RouteTable } from '#tests/helpers/route_tables/types'
import { ClipFactory } from '#database/factories/clip_factory'

/**
 * A creator's clips. `:id` is a clip of another creator (status `uploaded`), so the
 * creator in the table is a stranger to it, and an admin's retry is refused (not failed).
 * A refused form POST is answered as bouncer answers every form: back, with the reason
 * flashed (302), where a GET gets the 403 page.
 */
export const clipRoutes: RouteTable = {
  'GET /clips': {
    anonymous: [302, '/login'],
    creator: 200,
    buyer: 403,
    admin: 403,
    suspended: [302, '/login'],
  },
  'GET /clips/:id': {
    anonymous: [302, '/login'],
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: [302, '/login'],
  },
  // The clip has not been processed: an admin may look, and finds no keypoints.
  'GET /clips/:id/keypoints.json': {
    anonymous: [302, '/login'],
    creator: 403,
    buyer: 403,
    admin: 404,
    suspended: [302, '/login'],
  },
  'POST /clips/:id/retry': {
    anonymous: [302, '/login'],
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: [302, '/login'],
  },
}

export const clipParams: ParamFixture = async () => {
  const clip = await ClipFactory.create()
  return { id: clip.id }
}
