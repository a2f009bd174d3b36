import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { reviewableClip } from '#tests/functional/moderation/fixtures'
import type { ClipRiskReason } from '#models/clip'

/** The clip ids of the queue's rows, in page order. */
function rowIds(html: string) {
  return [...html.matchAll(/data-moderation-row data-clip-id="([0-9a-f-]{36})"/g)].map(
    (match) => match[1]
  )
}

const UNSEEN: ClipRiskReason = {
  code: 'face_never_seen',
  message: '2 people never had a face detected; their heads are blurred only from the pose.',
  weight: 26.7,
  times: [
    [4, 6.5],
    [1, 1.5],
  ],
}
const TRACKED: ClipRiskReason = {
  code: 'kept_by_tracking',
  message: 'In 12 frames a face the detector lost is blurred only where its track guesses it is.',
  weight: 5,
  times: [
    [4.2, 4.6],
    [8, 8.4],
  ],
}
const TEXT: ClipRiskReason = {
  code: 'text_unclassified',
  message: 'Text was read 1 time but not classified as something to blur (it may be a name).',
  weight: 2.5,
  times: [[9, 9.1]],
}

test.group('Moderation: riskiest first', (group) => {
  group.each.setup(isolate)

  test('the queue sorts by risk score on request, unscored clips last, and shows each row’s top reasons', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const creator = await makeUser('creator')
    const hoursAgo = (hours: number) => DateTime.now().minus({ hours })
    const unscored = await reviewableClip(creator, {
      title: 'Processed long ago',
      createdAt: hoursAgo(40),
    })
    const calm = await reviewableClip(creator, {
      title: 'Calm clip',
      createdAt: hoursAgo(30),
      riskScore: 0,
      riskReasons: [],
    })
    const risky = await reviewableClip(creator, {
      title: 'Risky clip',
      createdAt: hoursAgo(1),
      riskScore: 34.2,
      riskReasons: [UNSEEN, TRACKED, TEXT],
    })
    const middling = await reviewableClip(creator, {
      title: 'Middling clip',
      createdAt: hoursAgo(2),
      riskScore: 12,
      riskReasons: [{ ...TRACKED, weight: 12 }],
    })

    // The usual order stays the default: oldest first.
    const usual = await client.get('/admin/moderation').loginAs(admin)
    assert.deepEqual(rowIds(usual.text()), [unscored.id, calm.id, middling.id, risky.id])

    const page = await client.get('/admin/moderation?sort=risk').loginAs(admin)
    page.assertStatus(200)
    assert.deepEqual(rowIds(page.text()), [risky.id, middling.id, calm.id, unscored.id])
    page.assertTextIncludes('Risk 34/100')
    page.assertTextIncludes(UNSEEN.message)
    page.assertTextIncludes(TRACKED.message)
    // A row shows its two heaviest reasons; the review page shows them all.
    assert.notInclude(page.text(), TEXT.message)
    page.assertTextIncludes('Risk: not scored')
    page.assertTextIncludes('<option value="risk" selected>Riskiest first</option>')
    // Links keep the order, so j/k on the review page follow it too.
    page.assertTextIncludes(`/admin/moderation/${risky.id}?sort=risk`)

    const fragment = await client
      .get('/admin/moderation?sort=risk')
      .header('HX-Request', 'true')
      .loginAs(admin)
    assert.deepEqual(rowIds(fragment.text()), [risky.id, middling.id, calm.id, unscored.id])

    // The review page's neighbours follow the risk order.
    const review = await client.get(`/admin/moderation/${middling.id}?sort=risk`).loginAs(admin)
    review.assertTextIncludes(
      `/admin/moderation/${risky.id}?sort=risk" class="btn-ghost px-3 py-1.5" rel="prev"`
    )
    review.assertTextIncludes(
      `/admin/moderation/${calm.id}?sort=risk" class="btn-ghost px-3 py-1.5" rel="next"`
    )
  })

  test('an unknown order is named and the usual one used', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const clip = await reviewableClip(null, { riskScore: 50, riskReasons: [UNSEEN] })
    const page = await client.get('/admin/moderation?sort=newest').loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('Sort the queue in its usual order or riskiest first.')
    assert.deepEqual(rowIds(page.text()), [clip.id])
  })

  test('the review page lists every reason and jumps to the riskiest moments, heaviest reason first', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const clip = await reviewableClip(null, {
      riskScore: 34.2,
      riskReasons: [TRACKED, UNSEEN, TEXT],
    })
    const page = await client.get(`/admin/moderation/${clip.id}`).loginAs(admin)
    page.assertStatus(200)
    for (const reason of [UNSEEN, TRACKED, TEXT]) page.assertTextIncludes(reason.message)
    const jumps = [
      ...page.text().matchAll(/data-risk-jump="([\d.]+)" data-risk-code="(\w+)"/g),
    ].map((match) => [Number(match[1]), match[2]])
    // 4.2–4.6 s falls inside the heavier reason's 4–6.5 s: one moment, not two.
    assert.deepEqual(jumps, [
      [4, 'face_never_seen'],
      [1, 'face_never_seen'],
      [8, 'kept_by_tracking'],
      [9, 'text_unclassified'],
    ])
    page.assertTextIncludes('<kbd>m</kbd> jump to the next risky moment')

    const unscored = await reviewableClip(null)
    const old = await client.get(`/admin/moderation/${unscored.id}`).loginAs(admin)
    old.assertTextIncludes('Risk: not scored')
    assert.notInclude(old.text(), 'data-risk-jump')
  })
})
