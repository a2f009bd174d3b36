import type { ParamFixture, RouteTable } from '#tests/helpers/route_tables/types'
import { emptyPublishedVersion } from '#tests/helpers/route_tables/fixtures'
import { currentLicenceText } from '#tests/helpers/licence_texts'

const toLogin: [number, string] = [302, '/login']

/**
 * Money. `:versionId` is a paid version of a published dataset, and the table's instance has
 * no Stripe keys: a buyer's checkout is sent back to the dataset with "payments are not
 * configured" (302) and a claim of a paid version is refused the same way; creators and
 * admins are refused by bouncer and sent back (302 to the referer). The success and cancel
 * pages without a session or order are 404 for a buyer, and so is the cancel button's POST
 * without an order (creators and admins are sent back by bouncer, 302). The webhook has no session: without
 * a signature every visitor gets 400. The admin's grant form with no fields is sent back by
 * validation (302); the specs in tests/functional/commerce check what is (not) written.
 * A buyer's checkout or claim without the "I agree" box is also sent back (302). Licence
 * texts are admin-only: other roles get 403, or a POST sent back by bouncer (302 to the
 * referer); the admin's empty publish form is sent back by validation (302).
 */
export const commerceRoutes: RouteTable = {
  'POST /checkout/:versionId': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
  'GET /checkout/success': {
    anonymous: toLogin,
    creator: 403,
    buyer: 404,
    admin: 403,
    suspended: toLogin,
  },
  'GET /checkout/cancel': {
    anonymous: toLogin,
    creator: 403,
    buyer: 404,
    admin: 403,
    suspended: toLogin,
  },
  'POST /checkout/cancel': {
    anonymous: toLogin,
    creator: 302,
    buyer: 404,
    admin: 302,
    suspended: toLogin,
  },
  'POST /webhooks/stripe': { anonymous: 400, creator: 400, buyer: 400, admin: 400, suspended: 400 },
  'POST /licences/claim/:versionId': {
    anonymous: toLogin,
    creator: 302,
    buyer: 302,
    admin: 302,
    suspended: toLogin,
  },
  'GET /admin/licences/new': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'POST /admin/licences': {
    anonymous: toLogin,
    creator: [302, '/admin/licences'],
    buyer: [302, '/admin/licences'],
    admin: 302,
    suspended: toLogin,
  },
  'GET /admin/licence-texts': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
  'POST /admin/licence-texts': {
    anonymous: toLogin,
    creator: [302, '/admin/licence-texts'],
    buyer: [302, '/admin/licence-texts'],
    admin: 302,
    suspended: toLogin,
  },
  'GET /admin/licence-texts/:licenceTextId': {
    anonymous: toLogin,
    creator: 403,
    buyer: 403,
    admin: 200,
    suspended: toLogin,
  },
}

/** A paid, published version for sale (one clip, no files: nothing here gets as far as the ledger) and the current text of its licence type. */
export const commerceParams: ParamFixture = async () => {
  const { version } = await emptyPublishedVersion({ priceCents: 2500, withClip: true })
  const text = await currentLicenceText(version.licenceType)
  return { versionId: version.id, licenceTextId: String(text.id) }
}
