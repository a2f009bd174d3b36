import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { licenceFor, publishedVersion, withdraw } from '#tests/helpers/exports'

test.group("Licences: the buyer's pages", (group) => {
  group.each.setup(isolate)

  test("the list shows the buyer's own licences with version, source, type and status", async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer')
    const live = await publishedVersion({ clips: 1, store: false })
    const revoked = await publishedVersion({ clips: 1, store: false })
    const others = await publishedVersion({ clips: 1, store: false })
    const liveLicence = await licenceFor(buyer, live.version)
    const revokedLicence = await licenceFor(buyer, revoked.version, {
      source: 'grant',
      revokedAt: DateTime.now(),
    })
    await licenceFor(await makeUser('buyer'), others.version)
    await live.version.load('dataset')
    await others.version.load('dataset')

    const response = await client.get('/licences').loginAs(buyer)

    response.assertStatus(200)
    const html = response.text()
    assert.include(html, live.version.dataset.title)
    assert.notInclude(html, others.version.dataset.title)
    assert.include(html, `data-licence-id="${liveLicence.id}"`)
    assert.include(html, `data-licence-id="${revokedLicence.id}"`)
    assert.include(html, 'data-licence-status="live"')
    assert.include(html, 'data-licence-status="revoked"')
    assert.include(html, 'Granted by an admin')
    assert.include(html, 'Claimed (free)')
    assert.include(html, 'v1')
  })

  test('the licence page shows terms, files with sizes and download buttons', async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer')
    const published = await publishedVersion({ clips: 2, store: false })
    const licence = await licenceFor(buyer, published.version)

    const response = await client.get(`/licences/${licence.id}`).loginAs(buyer)

    response.assertStatus(200)
    const html = response.text()
    for (const path of published.contents.keys()) assert.include(html, `data-file-path="${path}"`)
    assert.include(html, '200.0 KB')
    assert.include(html, 'Athera Research Licence')
    assert.include(html, `href="/licences/${licence.id}/download.zip"`)
    assert.include(html, `href="/licences/${licence.id}/manifest.json"`)
    assert.notInclude(html, 'data-testid="withdrawal-notice"')
  })

  test('a withdrawal puts a notice on the page naming the clip and what to delete', async ({
    client,
    assert,
  }) => {
    const buyer = await makeUser('buyer')
    const published = await publishedVersion({ clips: 2, store: false })
    const licence = await licenceFor(buyer, published.version)
    const [gone, kept] = published.clips
    await withdraw(gone, published)

    const response = await client.get(`/licences/${licence.id}`).loginAs(buyer)
    const html = response.text()

    assert.include(html, 'data-testid="withdrawal-notice"')
    assert.include(html, 'A creator withdrew consent for a clip in this version')
    assert.include(html, `data-withdrawn-clip="${gone.id}"`)
    assert.include(html, gone.title)
    assert.include(html, `videos/${gone.id}.mp4`)
    assert.include(html, 'Delete them')
    assert.notInclude(html, `data-withdrawn-clip="${kept.id}"`)
    assert.notInclude(html, `data-file-path="videos/${gone.id}.mp4"`)

    const listPage = await client.get('/licences').loginAs(buyer)
    const list = listPage.text()
    assert.include(list, '1 withdrawn clip to delete')
  })

  test('a revoked licence reads as revoked and offers no download', async ({ client, assert }) => {
    const buyer = await makeUser('buyer')
    const published = await publishedVersion({ clips: 1, store: false })
    const licence = await licenceFor(buyer, published.version, {
      revokedAt: DateTime.now(),
      revokeReason: 'The payment was refunded.',
    })

    const response = await client.get(`/licences/${licence.id}`).loginAs(buyer)
    const html = response.text()

    assert.include(html, 'data-testid="revoked-notice"')
    assert.include(html, 'The payment was refunded.')
    assert.notInclude(html, 'download.zip')
    assert.notInclude(html, 'manifest.json')
  })

  test('an admin may open a licence page for support, without download buttons', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const published = await publishedVersion({ clips: 1, store: false })
    const licence = await licenceFor(await makeUser('buyer'), published.version)

    const response = await client.get(`/licences/${licence.id}`).loginAs(admin)

    response.assertStatus(200)
    assert.notInclude(response.text(), 'download.zip')
  })

  test('another buyer gets 403 on the licence page', async ({ client }) => {
    const published = await publishedVersion({ clips: 1, store: false })
    const licence = await licenceFor(await makeUser('buyer'), published.version)

    const response = await client.get(`/licences/${licence.id}`).loginAs(await makeUser('buyer'))

    response.assertStatus(403)
  })
})
