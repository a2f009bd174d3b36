import type { ParamFixture, RouteTable } from '#tests/helpers/route_tables/types'
import { makeUser } from '#tests/helpers/users'
import { approvedClipWithAssets, draftDataset, publishWith } from '#tests/helpers/catalog'

/**
 * The catalog (public, published datasets only) and dataset management. `:slug` is a published
 * dataset with a sample clip; `:datasetId` a draft of another creator, so the creator in the
 * table is a stranger to it. Refused form POSTs go back with the reason flashed (302); an
 * admin's POSTs go back with a validation error or a refusal (nothing to publish).
 */
const toLogin: [number, string] = [302, '/login']
const everyone = (status: number) => ({
  anonymous: status,
  creator: status,
  buyer: status,
  admin: status,
  suspended: status,
})

export const marketplaceRoutes: RouteTable = {
  'GET /catalog': everyone(200),
  'GET /catalog/:slug': everyone(200),
  'GET /catalog/:slug/sample/keypoints.json': everyone(200),
  // A redirect to the preview's short-lived presigned URL.
  'GET /catalog/:slug/sample/preview.mp4': everyone(302),
  'GET /my/datasets': {
    anonymous: toLogin,
    creator: 200,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'GET /my/datasets/new': {
    anonymous: toLogin,
    creator: 200,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'POST /my/datasets': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
  'GET /my/datasets/:datasetId/edit': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'PUT /my/datasets/:datasetId': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
  'POST /my/datasets/:datasetId/clips': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
  'POST /my/datasets/:datasetId/publish': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
  // The draft is not published: the owner's admin gets the refusal flashed back (302).
  'POST /my/datasets/:datasetId/unpublish': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
}

export const marketplaceParams: ParamFixture = async () => {
  const owner = await makeUser('creator')
  const listed = await draftDataset(owner)
  await publishWith(listed, owner, [await approvedClipWithAssets(owner)])
  const draft = await draftDataset(owner)
  return { slug: listed.slug, datasetId: draft.id }
}
