import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { tokenFor } from '#tests/functional/api/helpers'
import { noticeOf, runNotify, withdrawnLicensedClip } from '#tests/helpers/withdrawal_notices'

test.group('REST API v1: withdrawal notices', (group) => {
  group.each.setup(isolate)

  test('lists a licence’s notices with the files to delete and their state', async ({
    client,
    assert,
  }) => {
    const { buyer, licence, clip, record, published } = await withdrawnLicensedClip()
    await runNotify(record.id)
    const notice = await noticeOf(licence)
    const { secret } = await tokenFor(buyer, ['licences:read'])

    const response = await client
      .get(`/api/v1/licences/${licence.id}/withdrawals`)
      .bearerToken(secret)

    response.assertStatus(200)
    assert.equal(response.header('cache-control'), 'no-store')
    const [item] = response.body().data
    assert.deepInclude(item, {
      id: notice.id,
      licence_id: licence.id,
      clip_id: clip.id,
      clip_title: clip.title,
      version: { id: published.version.id, number: 1 },
      files_to_delete: [
        `videos/${clip.id}.mp4`,
        `keypoints/${clip.id}.json`,
        `metadata/${clip.id}.json`,
        `thumbnails/${clip.id}.jpg`,
      ],
      status: 'pending',
      acknowledged_at: null,
      acknowledged_via: null,
    })
    assert.equal(item.withdrawn_at, record.createdAt.toUTC().toISO())
    assert.equal(
      item.links.acknowledge,
      `/api/v1/licences/${licence.id}/withdrawals/${notice.id}/ack`
    )
  })

  test('acknowledging records the confirmation once, as via api; a second call records nothing', async ({
    client,
    assert,
  }) => {
    const { buyer, licence, record } = await withdrawnLicensedClip()
    await runNotify(record.id)
    const notice = await noticeOf(licence)
    const { secret } = await tokenFor(buyer, ['licences:read', 'withdrawals:ack'])
    const url = `/api/v1/licences/${licence.id}/withdrawals/${notice.id}/ack`

    const first = await client.post(url).bearerToken(secret)
    const second = await client.post(url).bearerToken(secret)

    first.assertStatus(200)
    assert.isTrue(first.body().recorded)
    assert.equal(first.body().data.status, 'acknowledged')
    assert.equal(first.body().data.acknowledged_via, 'api')
    second.assertStatus(200)
    assert.isFalse(second.body().recorded)
    assert.equal(second.body().data.acknowledged_at, first.body().data.acknowledged_at)
    const acks = await db.from('withdrawal_acks').where('notice_id', notice.id)
    assert.lengthOf(acks, 1)
    assert.equal(acks[0].via, 'api')
    const list = await client.get(`/api/v1/licences/${licence.id}/withdrawals`).bearerToken(secret)
    assert.equal(list.body().data[0].status, 'acknowledged')
  })

  test('another buyer’s licence or notice → 404, and nothing is recorded', async ({
    client,
    assert,
  }) => {
    const { licence, record } = await withdrawnLicensedClip()
    await runNotify(record.id)
    const notice = await noticeOf(licence)
    const mine = await withdrawnLicensedClip()
    await runNotify(mine.record.id)
    const { secret } = await tokenFor(mine.buyer)

    const list = await client.get(`/api/v1/licences/${licence.id}/withdrawals`).bearerToken(secret)
    const ack = await client
      .post(`/api/v1/licences/${licence.id}/withdrawals/${notice.id}/ack`)
      .bearerToken(secret)
    // The buyer's own licence, with a notice of someone else's licence.
    const crossed = await client
      .post(`/api/v1/licences/${mine.licence.id}/withdrawals/${notice.id}/ack`)
      .bearerToken(secret)

    for (const response of [list, ack, crossed]) {
      response.assertStatus(404)
      assert.equal(response.body().error.code, 'not_found')
    }
    assert.lengthOf(await db.from('withdrawal_acks'), 0)
  })

  test('the wrong scope → 403 insufficient_scope: reading needs licences:read, confirming withdrawals:ack', async ({
    client,
    assert,
  }) => {
    const { buyer, licence, record } = await withdrawnLicensedClip()
    await runNotify(record.id)
    const notice = await noticeOf(licence)
    const catalogOnly = await tokenFor(buyer, ['catalog:read'])
    const readOnly = await tokenFor(buyer, ['licences:read'])

    const list = await client
      .get(`/api/v1/licences/${licence.id}/withdrawals`)
      .bearerToken(catalogOnly.secret)
    const ack = await client
      .post(`/api/v1/licences/${licence.id}/withdrawals/${notice.id}/ack`)
      .bearerToken(readOnly.secret)

    for (const response of [list, ack]) {
      response.assertStatus(403)
      assert.equal(response.body().error.code, 'insufficient_scope')
    }
    assert.include(ack.body().error.message, 'withdrawals:ack')
    assert.lengthOf(await db.from('withdrawal_acks'), 0)
  })

  test('a creator’s token is refused (the API is for buyers)', async ({ client, assert }) => {
    const { licence } = await withdrawnLicensedClip()
    const { secret } = await tokenFor(await makeUser('creator'))
    const response = await client
      .get(`/api/v1/licences/${licence.id}/withdrawals`)
      .bearerToken(secret)
    response.assertStatus(403)
    assert.equal(response.body().error.code, 'wrong_role')
  })
})
