import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Clip from '#models/clip'
import Licence from '#models/licence'
import type User from '#models/user'
import stripeConfig from '#config/stripe'
import { CatalogService } from '#app/catalog/catalog_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import {
  approvedClipWithAssets,
  draftDataset,
  listedDataset,
  publishWith,
} from '#tests/helpers/catalog'
import { currentLicenceText, licenceTerms } from '#tests/helpers/licence_texts'

/** The datasets a catalog response shows, in order. */
const slugsIn = (html: string) =>
  [...html.matchAll(/data-dataset-card="([^"]+)"/g)].map((match) => match[1])
/** The "Next page" link of a catalog response, or null on the last page. */
const nextLink = (html: string) => {
  const match = html.match(/href="([^"]+)"[^>]*data-next-page/)
  return match ? match[1].replaceAll('&amp;', '&') : null
}

/** Three published datasets with known contents and one draft, all through the publish path. */
async function catalogFixture() {
  const creator = await makeUser('creator')
  const clip = (fields: Partial<Clip>) =>
    approvedClipWithAssets(creator, { durationMs: 10_000, ...fields })

  const sprint = await draftDataset(creator, {
    title: 'Sprint starts from the blocks',
    sport: 'athletics',
    tags: ['sprint'],
    licenceType: 'research',
    priceCents: 2000,
  })
  await publishWith(sprint, creator, [
    await clip({
      sport: 'athletics',
      activity: '100 m sprint start',
      skillLevel: 'elite',
      cameraAngle: 'side',
    }),
  ])

  const throws = await draftDataset(creator, {
    title: 'Free throws at practice',
    sport: 'basketball',
    tags: ['shooting'],
    licenceType: 'commercial',
    priceCents: 8000,
  })
  await publishWith(throws, creator, [
    await clip({
      sport: 'basketball',
      activity: 'free throw',
      skillLevel: 'beginner',
      cameraAngle: 'front',
    }),
    await clip({
      sport: 'basketball',
      activity: 'free throw',
      skillLevel: 'intermediate',
      cameraAngle: 'front',
    }),
  ])

  const serves = await draftDataset(creator, {
    title: 'Tennis serves',
    sport: 'tennis',
    tags: ['serve'],
    licenceType: 'research',
    priceCents: 0,
  })
  await publishWith(serves, creator, [
    await clip({
      sport: 'tennis',
      activity: 'serve',
      skillLevel: 'advanced',
      cameraAngle: 'behind',
      durationMs: 60_000,
    }),
    await clip({
      sport: 'tennis',
      activity: 'serve',
      skillLevel: 'advanced',
      cameraAngle: 'behind',
      durationMs: 60_000,
    }),
    await clip({
      sport: 'tennis',
      activity: 'serve',
      skillLevel: 'advanced',
      cameraAngle: 'behind',
      durationMs: 60_000,
    }),
  ])

  // A draft with a matching title and clips picked, never published.
  const draft = await draftDataset(creator, {
    title: 'Sprint drafts',
    sport: 'athletics',
    licenceType: 'research',
    priceCents: 2000,
  })
  CatalogService.clearCache()
  return { creator, sprint, throws, serves, draft }
}

test.group('Catalog: filters, search, pagination, htmx', (group) => {
  group.each.setup(isolate)

  test('each filter and the search return exactly the matching published datasets; drafts never show', async ({
    client,
    assert,
  }) => {
    const { sprint, throws, serves, draft } = await catalogFixture()
    const shown = async (query: string) => {
      const response = await client.get(`/catalog?${query}`)
      response.assertStatus(200)
      return slugsIn(response.text()).sort()
    }
    const expect = (...datasets: { slug: string }[]) =>
      datasets.map((dataset) => dataset.slug).sort()

    assert.deepEqual(await shown(''), expect(sprint, throws, serves))
    assert.deepEqual(await shown('sport=athletics'), expect(sprint))
    assert.deepEqual(await shown('activity=free+throw'), expect(throws))
    assert.deepEqual(await shown('skill=advanced'), expect(serves))
    assert.deepEqual(await shown('skill=intermediate'), expect(throws))
    assert.deepEqual(await shown('angle=front'), expect(throws))
    assert.deepEqual(await shown('licence=research'), expect(sprint, serves))
    assert.deepEqual(await shown('licence=commercial'), expect(throws))
    assert.deepEqual(await shown('price_min=10&price_max=50'), expect(sprint))
    assert.deepEqual(await shown('price_max=0'), expect(serves))
    assert.deepEqual(await shown('price_min=80'), expect(throws))
    assert.deepEqual(await shown('clips_min=2'), expect(throws, serves))
    assert.deepEqual(await shown('clips_max=2'), expect(sprint, throws))
    assert.deepEqual(await shown('minutes_min=1'), expect(serves))
    assert.deepEqual(await shown('minutes_max=0.5'), expect(sprint, throws))
    assert.deepEqual(await shown('licence=research&clips_min=2'), expect(serves))
    assert.deepEqual(
      await shown('q=sprint'),
      expect(sprint),
      'the draft titled "Sprint drafts" never shows'
    )
    assert.deepEqual(await shown('q=%22free+throws%22'), expect(throws))
    assert.deepEqual(await shown('q=shooting+OR+serve'), expect(throws, serves))
    assert.deepEqual(await shown('q=tennis+-serves'), [])
    assert.deepEqual(await shown('sport=curling'), [])
    assert.notInclude(await shown(''), draft.slug)

    // A bad value is explained and left out, never a 500.
    const bad = await client.get(
      '/catalog?price_min=cheap&licence=exclusive&sort=random&after=garbage'
    )
    bad.assertStatus(200)
    assert.include(bad.text(), 'Lowest price must be a number, 0 or more.')
    assert.include(bad.text(), 'Licence must be research or commercial.')
    assert.sameMembers(slugsIn(bad.text()), expect(sprint, throws, serves))

    const draftPage = await client.get(`/catalog/${draft.slug}`)
    draftPage.assertStatus(404)
    const draftSample = await client.get(`/catalog/${draft.slug}/sample/keypoints.json`)
    draftSample.assertStatus(404)
  })

  test('keyset pagination walks every page of every sort without duplicates or gaps', async ({
    assert,
    client,
  }) => {
    const creator = await makeUser('creator')
    const at = DateTime.fromISO('2026-05-01T12:00:00Z')
    const all: { slug: string; price: number; clips: number; published: number }[] = []
    for (let index = 0; index < 53; index++) {
      // Repeated prices, clip counts and publication times: the id breaks the ties.
      const fields = {
        priceCents: index % 4 === 0 ? 0 : 1000 + (index % 7) * 500,
        clipCount: 1 + (index % 5),
        publishedAt: at.plus({ minutes: index % 9 }),
      }
      const dataset = await listedDataset(creator, fields)
      all.push({
        slug: dataset.slug,
        price: fields.priceCents,
        clips: fields.clipCount,
        published: fields.publishedAt.toMillis(),
      })
    }
    await draftDataset(creator, { title: 'Never listed' })

    for (const sort of ['newest', 'price_asc', 'price_desc', 'clips']) {
      const seen: string[] = []
      let url: string | null = `/catalog?sort=${sort}`
      let pages = 0
      while (url) {
        const response = await client.get(url).header('HX-Request', 'true')
        response.assertStatus(200)
        const slugs = slugsIn(response.text())
        assert.isAtMost(slugs.length, 24)
        seen.push(...slugs)
        url = nextLink(response.text())
        if (url) assert.notInclude(url, 'offset')
        pages++
      }
      assert.equal(pages, 3, `${sort}: 24 + 24 + 5`)
      assert.equal(new Set(seen).size, seen.length, `${sort}: no duplicates`)
      assert.sameMembers(
        seen,
        all.map((item) => item.slug),
        `${sort}: every dataset once`
      )
      const key = {
        newest: (item: (typeof all)[0]) => -item.published,
        price_asc: (item: (typeof all)[0]) => item.price,
        price_desc: (item: (typeof all)[0]) => -item.price,
        clips: (item: (typeof all)[0]) => -item.clips,
      }[sort]!
      const values = seen.map((slug) => key(all.find((item) => item.slug === slug)!))
      assert.deepEqual(
        values,
        [...values].sort((a, b) => a - b),
        `${sort}: in order`
      )
    }
  })

  test('an htmx request gets the results fragment, a normal request or a history restore the whole page', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const dataset = await listedDataset(creator, {
      title: 'Handball goalkeeping',
      sport: 'handball',
    })

    const page = await client.get('/catalog?sport=handball')
    page.assertStatus(200)
    assert.include(page.text(), '<!DOCTYPE html>')
    assert.include(page.text(), 'data-catalog-filters')
    assert.match(
      page.text(),
      /<form method="GET" action="\/catalog"/,
      'a plain GET form works without JavaScript'
    )
    assert.include(page.text(), 'hx-push-url="true"')
    assert.match(page.text(), /<option value="handball" selected/)
    assert.include(page.header('vary') ?? '', 'HX-Request')

    const fragment = await client.get('/catalog?sport=handball').header('HX-Request', 'true')
    fragment.assertStatus(200)
    assert.notInclude(fragment.text(), '<!DOCTYPE html>')
    assert.notInclude(fragment.text(), 'data-catalog-filters')
    assert.match(fragment.text(), /^\s*(\{\{--[\s\S]*?--\}\}\s*)?<div id="catalog-results"/)
    assert.deepEqual(slugsIn(fragment.text()), [dataset.slug])
    // The address bar gets the canonical URL (the form's empty fields dropped)…
    const fromForm = await client
      .get('/catalog?q=&sort=newest&sport=handball&licence=&price_min=')
      .header('HX-Request', 'true')
      .header('HX-Current-URL', 'http://localhost/catalog')
    assert.equal(fromForm.header('hx-push-url'), '/catalog?sport=handball')
    // …and a request for the state already shown adds no second history entry.
    const again = await client
      .get('/catalog?sport=handball')
      .header('HX-Request', 'true')
      .header('HX-Current-URL', 'http://localhost/catalog?sport=handball')
    assert.equal(again.header('hx-push-url'), 'false')

    const restore = await client
      .get('/catalog?sport=handball')
      .header('HX-Request', 'true')
      .header('HX-History-Restore-Request', 'true')
    assert.include(restore.text(), '<!DOCTYPE html>')
  })
})

test.group('Catalog: cached results', (group) => {
  group.each.setup(isolate)

  test('the same query is answered from the cache; a publication through the page shows at once', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const clip = await approvedClipWithAssets(creator, {
      title: 'Relay handover',
      sport: 'athletics',
    })
    const first = await draftDataset(creator, {
      title: 'Relay handovers',
      sport: 'athletics',
      licenceType: 'research',
      priceCents: 2000,
    })
    await publishWith(first, creator, [clip])
    CatalogService.clearCache()

    const before = await client.get('/catalog?sport=athletics')
    assert.include(before.text(), `data-dataset-card="${first.slug}"`)
    // A dataset published behind the cache's back (no clearCache) is not seen for a few seconds…
    const hidden = await draftDataset(creator, {
      title: 'Hidden relay',
      sport: 'athletics',
      licenceType: 'research',
      priceCents: 2000,
    })
    await publishWith(hidden, creator, [clip])
    const response = await client.get('/catalog?sport=athletics')
    assert.notInclude(response.text(), `data-dataset-card="${hidden.slug}"`)
    // …but publishing through the creator's page clears it.
    const third = await draftDataset(creator, {
      title: 'Relay zones',
      sport: 'athletics',
      licenceType: 'research',
      priceCents: 2000,
    })
    await client
      .post(`/my/datasets/${third.id}/clips`)
      .form({ clips: [clip.id] })
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    const published = await client
      .post(`/my/datasets/${third.id}/publish`)
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    published.assertFlashMessage('success', 'Version 1 is published with 1 clip.')
    const afterPage = await client.get('/catalog?sport=athletics')
    const after = afterPage.text()
    for (const dataset of [first, hidden, third])
      assert.include(after, `data-dataset-card="${dataset.slug}"`)
  })
})

test.group('Catalog: the dataset page', (group) => {
  group.each.setup(isolate)
  let saved: { secretKey?: string; webhookSecret?: string }
  group.each.setup(() => {
    saved = { secretKey: stripeConfig.secretKey, webhookSecret: stripeConfig.webhookSecret }
    return () => {
      Object.assign(stripeConfig, saved)
    }
  })

  async function published(creator: User, priceCents: number) {
    const first = await approvedClipWithAssets(
      creator,
      { title: 'Block start, lane 4', sport: 'athletics', activity: 'sprint start' },
      { frames: 20, people: 2 }
    )
    const second = await approvedClipWithAssets(creator, {
      title: 'Block start, lane 5',
      sport: 'athletics',
      activity: 'sprint start',
    })
    const dataset = await draftDataset(creator, {
      title: 'Sprint starts',
      sport: 'athletics',
      licenceType: 'commercial',
      priceCents,
    })
    const version = await publishWith(dataset, creator, [first, second])
    return { dataset, version, first, second }
  }

  test('shows the sample player, the dataset card, a sample metadata.json and the buy button', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const { dataset, version, first } = await published(creator, 4500)
    Object.assign(stripeConfig, { secretKey: 'sk_test_x', webhookSecret: 'whsec_x' })

    const response = await client.get(`/catalog/${dataset.slug}`)
    response.assertStatus(200)
    const html = response.text()
    assert.include(html, `data-keypoints-url="/catalog/${dataset.slug}/sample/keypoints.json"`)
    assert.include(html, `src="/catalog/${dataset.slug}/sample/preview.mp4"`)
    assert.match(html, /data-stat="clips">2</)
    assert.match(html, /data-stat="people">4</)
    assert.match(html, /data-stat="keypoint-frames">20</)
    // The current commercial licence text, which the buy form agrees to.
    const terms = await currentLicenceText('commercial')
    assert.include(html, `Licence terms: ${terms.title}, version ${terms.version}`)
    assert.include(html, 'data-licence-terms="commercial"')
    assert.include(html, `name="licenceTextId" value="${terms.id}"`)
    assert.include(html, 'name="agree"')
    assert.include(html, 'athera-pipeline 1.4.0')
    assert.include(html, 'pose-landmarker-full')
    assert.include(html, 'Faces blurred in every frame')
    assert.include(html, 'Shirt numbers')
    // The sample clip's metadata.json, pretty-printed.
    assert.include(html, `&quot;clipId&quot;: &quot;${first.id}&quot;`)
    assert.include(html, `action="/checkout/${version.id}"`)
    assert.include(html, 'Buy dataset — $45.00')
    assert.include(html, version.manifestSha256)

    stripeConfig.secretKey = undefined
    const unconfigured = await client.get(`/catalog/${dataset.slug}`)
    assert.include(unconfigured.text(), 'data-buy-action="unconfigured"')
    assert.include(unconfigured.text(), 'Payments are not configured')
    assert.notInclude(unconfigured.text(), `action="/checkout/${version.id}"`)

    const buyer = await makeUser('buyer')
    const licence = await Licence.create({
      buyerId: buyer.id,
      datasetVersionId: version.id,
      source: 'grant',
      licenceType: 'commercial',
      ...(await licenceTerms('commercial')),
    })
    const held = await client.get(`/catalog/${dataset.slug}`).loginAs(buyer)
    assert.include(held.text(), `href="/licences/${licence.id}"`)
    assert.include(held.text(), 'You hold a licence')
  })

  test('a free dataset offers a claim', async ({ client, assert }) => {
    const creator = await makeUser('creator')
    const { dataset, version } = await published(creator, 0)
    const response = await client.get(`/catalog/${dataset.slug}`)
    const html = response.text()
    assert.include(html, `action="/licences/claim/${version.id}"`)
    assert.include(html, 'Get it free')
  })

  test('the sample files come only from the published version, never from a withdrawn clip', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const { dataset, first, second } = await published(creator, 2000)

    const keypoints = await client.get(`/catalog/${dataset.slug}/sample/keypoints.json`)
    keypoints.assertStatus(200)
    assert.equal(keypoints.body().clipId, first.id)
    const preview = await client.get(`/catalog/${dataset.slug}/sample/preview.mp4`).redirects(0)
    preview.assertStatus(302)
    assert.include(preview.header('location'), `clips/${first.id}/preview`)

    // A clip picked after publication is not in the version: it never becomes the sample.
    const unpublished = await approvedClipWithAssets(creator)
    await Clip.query()
      .whereIn('id', [first.id])
      .update({ status: 'withdrawn', withdrawn_at: new Date() })
    await client
      .post(`/my/datasets/${dataset.id}/clips`)
      .form({ clips: [unpublished.id] })
      .loginAs(creator)
      .withCsrfToken()
    const next = await client.get(`/catalog/${dataset.slug}/sample/keypoints.json`)
    assert.equal(next.body().clipId, second.id, 'the withdrawn first clip is skipped')

    await Clip.query()
      .whereIn('id', [second.id])
      .update({ status: 'withdrawn', withdrawn_at: new Date() })
    const response = await client.get(`/catalog/${dataset.slug}/sample/keypoints.json`)
    response.assertStatus(404)
    const previewSample = await client
      .get(`/catalog/${dataset.slug}/sample/preview.mp4`)
      .redirects(0)
    previewSample.assertStatus(404)
    const page = await client.get(`/catalog/${dataset.slug}`)
    assert.include(page.text(), 'No media yet')
    assert.include(page.text(), '2 clips were withdrawn')
  })
})
