import type { ParamFixture, RouteTable } from '#tests/helpers/route_tables/types'
import { makeUser } from '#tests/helpers/users'
import { licenceFor } from '#tests/helpers/exports'
import { emptyPublishedVersion } from '#tests/helpers/route_tables/fixtures'

const toLogin: [number, string] = [302, '/login']

/**
 * Licences and downloads. `:licenceId` is another buyer's live licence, so the buyer in the
 * table is a stranger to it, and the creator of its clips is no licensee either. Admins open
 * any licence page (support) but never download under someone else's licence.
 */
export const downloadRoutes: RouteTable = {
  'GET /licences': { anonymous: toLogin, creator: 403, buyer: 200, admin: 403, suspended: toLogin },
  'GET /licences/:licenceId': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'GET /licences/:licenceId/manifest.json': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 403,
    suspended: toLogin,
  },
  'GET /licences/:licenceId/download.zip': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 403,
    suspended: toLogin,
  },
}

/**
 * Another buyer's licence for a version with an empty manifest: the fixture runs for every
 * row of every table, so it writes as few rows as the checks here need (no clips, no objects).
 */
export const downloadParams: ParamFixture = async () => {
  const { version } = await emptyPublishedVersion()
  const licence = await licenceFor(await makeUser('buyer'), version)
  return { licenceId: licence.id }
}
