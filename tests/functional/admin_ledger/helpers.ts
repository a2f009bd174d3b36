import type { ApiClient } from '@japa/api-client'
import Order from '#models/order'
import type User from '#models/user'
import type DatasetVersion from '#models/dataset_version'
import type { FakeStripe } from '#tests/helpers/fake_stripe'
import { sessionIdOf } from '#tests/functional/commerce/helpers'
import { agreement } from '#tests/helpers/licence_texts'

/** RFC 4180 records (quoted cells, doubled quotes, CRLF), the BOM dropped: what a spreadsheet reads. */
export function parseCsv(text: string) {
  const source = text.replace(/^\uFEFF/, '')
  const records: string[][] = []
  let record: string[] = []
  let cell = ''
  let quoted = false
  for (let index = 0; index < source.length; index++) {
    const char = source[index]
    if (quoted) {
      if (char === '"' && source[index + 1] === '"') {
        cell += '"'
        index++
      } else if (char === '"') quoted = false
      else cell += char
    } else if (char === '"') quoted = true
    else if (char === ',') {
      record.push(cell)
      cell = ''
    } else if (char === '\r' && source[index + 1] === '\n') {
      record.push(cell)
      records.push(record)
      record = []
      cell = ''
      index++
    } else cell += char
  }
  if (cell || record.length) records.push([...record, cell])
  const [header, ...rows] = records
  return rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index]])))
}

/** The buyer checks out through the app and pays on the fake: the order as the webhook left it. */
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
  const order = await Order.query()
    .where('buyer_id', buyer.id)
    .where('dataset_version_id', version.id)
    .orderBy('created_at', 'desc')
    .firstOrFail()
  const paid = await fake.pay(sessionIdOf(response.header('location') ?? ''))
  await order.refresh()
  return { order, ...paid }
}
