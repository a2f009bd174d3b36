import type { ApiClient } from '@japa/api-client'
import Order from '#models/order'
import type User from '#models/user'
import type DatasetVersion from '#models/dataset_version'
import type { FakeStripe } from '#tests/helpers/fake_stripe'
import { sessionIdOf } from '#tests/functional/commerce/helpers'
import { agreement } from '#tests/helpers/licence_texts'

/**
 * A buyer's purchase the way it happens in production: checkout through the app, then the
 * fake's "Pay", which delivers the signed `checkout.session.completed` to the webhook route.
 */
export async function buy(
  client: ApiClient,
  fake: FakeStripe,
  buyer: User,
  version: DatasetVersion
) {
  const response = await client
    .post(`/checkout/${version.id}`)
    .form(await agreement(version.licenceType))
    .loginAs(buyer)
    .withCsrfToken()
    .redirects(0)
  response.assertStatus(303)
  const paid = await fake.pay(sessionIdOf(response.header('location') ?? ''))
  if (paid.delivery.status !== 200)
    throw new Error(`checkout.session.completed: ${paid.delivery.status} ${paid.delivery.body}`)
  const order = await Order.query()
    .where('buyer_id', buyer.id)
    .where('dataset_version_id', version.id)
    .firstOrFail()
  return { order, ...paid }
}
