import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { rm } from 'node:fs/promises'
import AuditLog from '#models/audit_log'
import Licence from '#models/licence'
import LicenceText from '#models/licence_text'
import Order from '#models/order'
import type User from '#models/user'
import { LicenceLibraryService } from '#app/licences/licence_library_service'
import { LicenceTextService } from '#app/licences/licence_text_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { fieldErrors } from '#tests/helpers/forms'
import { licenceFor, publishedVersion, sha256, unzip } from '#tests/helpers/exports'
import { sessionIdOf, useFakeStripe } from './helpers.js'

const CHANGED =
  /^The licence terms changed while you were reading them \(they are now version 2\)\. Read the new version below and agree again\.$/
const NOT_AGREED =
  'Read the licence terms and tick “I agree to these licence terms” to continue. Nothing was created.'

/** A published dataset whose latest version (stored files, one clip) sells at `priceCents`. */
async function forSale(priceCents: number) {
  const published = await publishedVersion({ clips: 1, priceCents })
  const { version } = published
  await db.from('datasets').where('id', version.datasetId).update({ latest_version_id: version.id })
  const { slug } = await db
    .from('datasets')
    .where('id', version.datasetId)
    .select('slug')
    .firstOrFail()
  return { ...published, version, slug: slug as string }
}

/** What he.escape (Edge's escaping) did to the text, undone. */
function unescapeHtml(html: string) {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/** The licence text the dataset page shows a buyer, and the text id its forms carry. */
async function shownOnPage(client: ApiClient, slug: string, user: User) {
  const response = await client.get(`/catalog/${slug}`).loginAs(user)
  response.assertStatus(200)
  const html = response.text()
  const body = html.match(/data-testid="licence-text">([\s\S]*?)<\/div>/)?.[1]
  const id = html.match(/name="licenceTextId" value="(\d+)"/)?.[1]
  return { body: body === undefined ? null : unescapeHtml(body), licenceTextId: id ?? null, html }
}

/** The licence's ZIP, as the download route streams it, unpacked. */
async function zipFilesOf(licence: Licence, cleanup: (fn: () => Promise<void>) => void) {
  const library = await app.container.make(LicenceLibraryService)
  const chunks: Buffer[] = []
  for await (const chunk of library.zip(await library.plan(licence))) chunks.push(chunk as Buffer)
  const { dir, files } = await unzip(Buffer.concat(chunks))
  cleanup(() => rm(dir, { recursive: true, force: true }))
  return files
}

/** The licence page's text and hash. */
async function licencePage(client: ApiClient, licence: Licence, user: User) {
  const response = await client.get(`/licences/${licence.id}`).loginAs(user)
  response.assertStatus(200)
  const html = response.text()
  return {
    body: unescapeHtml(html.match(/data-testid="licence-text"[^>]*>([\s\S]*?)<\/div>/)![1]),
    hash: html.match(/data-testid="licence-text-hash">([0-9a-f]{64})</)![1],
  }
}

test.group(
  'Licence texts: what the buyer agrees to is what the licence records and delivers',
  (group) => {
    group.each.setup(isolate)

    test('a purchase cites the text the dataset page showed; LICENCE.md holds exactly that text', async ({
      client,
      assert,
      cleanup,
    }) => {
      const fake = await useFakeStripe(cleanup)
      const buyer = await makeUser('buyer')
      const { version, slug } = await forSale(2500)

      const shown = await shownOnPage(client, slug, buyer)
      assert.isNotNull(shown.body)
      assert.include(shown.html, 'name="agree"')
      const response = await client
        .post(`/checkout/${version.id}`)
        .form({ agree: '1', licenceTextId: shown.licenceTextId })
        .loginAs(buyer)
        .withCsrfToken()
        .redirects(0)
      response.assertStatus(303)
      const order = await Order.query().where('buyer_id', buyer.id).firstOrFail()
      assert.equal(order.licenceTextId, Number(shown.licenceTextId))
      await fake.pay(sessionIdOf(response.header('location')!))

      const licence = await Licence.query().where('order_id', order.id).firstOrFail()
      const text = await LicenceText.findOrFail(licence.licenceTextId)
      assert.equal(licence.source, 'purchase')
      assert.equal(licence.termsSha256, sha256(shown.body!))
      assert.equal(text.body, shown.body)
      assert.equal(licence.termsVersion, text.version)

      const files = await zipFilesOf(licence, cleanup)
      assert.equal(files.get('LICENCE.md')!.toString('utf8'), shown.body)
      assert.equal(sha256(files.get('LICENCE.md')!), licence.termsSha256)
      assert.include(files.get('SHA256SUMS')!.toString(), `${licence.termsSha256}  LICENCE.md`)
      assert.include(files.get('README.md')!.toString(), licence.termsSha256)
      const croissant = JSON.parse(files.get('croissant.json')!.toString())
      assert.include(croissant.license, `version ${text.version}`)
      assert.include(croissant.license, text.sha256)

      const page = await licencePage(client, licence, buyer)
      assert.equal(page.body, shown.body)
      assert.equal(page.hash, licence.termsSha256)
    }).timeout(30_000)

    test('a free claim cites the text the page showed, and its ZIP delivers it', async ({
      client,
      assert,
      cleanup,
    }) => {
      const buyer = await makeUser('buyer')
      const { version, slug } = await forSale(0)

      const shown = await shownOnPage(client, slug, buyer)
      const response = await client
        .post(`/licences/claim/${version.id}`)
        .form({ agree: 'on', licenceTextId: shown.licenceTextId })
        .loginAs(buyer)
        .withCsrfToken()
        .redirects(0)

      const licence = await Licence.query().where('buyer_id', buyer.id).firstOrFail()
      response.assertHeader('location', `/licences/${licence.id}`)
      assert.equal(licence.licenceTextId, Number(shown.licenceTextId))
      assert.equal(licence.termsSha256, sha256(shown.body!))
      const files = await zipFilesOf(licence, cleanup)
      assert.equal(files.get('LICENCE.md')!.toString('utf8'), shown.body)
    })

    test('an admin grant cites the current text of the type, the one the dataset page shows', async ({
      client,
      assert,
    }) => {
      const admin = await makeUser('admin')
      const buyer = await makeUser('buyer')
      const { version, slug } = await forSale(0)
      const shown = await shownOnPage(client, slug, buyer)

      await client
        .post('/admin/licences')
        .form({ email: buyer.email, versionId: version.id })
        .loginAs(admin)
        .withCsrfToken()
        .redirects(0)

      const licence = await Licence.query().where('buyer_id', buyer.id).firstOrFail()
      assert.equal(licence.source, 'grant')
      assert.equal(licence.licenceTextId, Number(shown.licenceTextId))
      assert.equal(licence.termsSha256, sha256(shown.body!))
    })

    test('checkout and claim without the "I agree" box are refused with a sentence; nothing is written', async ({
      client,
      assert,
      cleanup,
    }) => {
      await useFakeStripe(cleanup)
      const buyer = await makeUser('buyer')
      const paid = await forSale(2500)
      const free = await forSale(0)
      const { licenceTextId } = await shownOnPage(client, paid.slug, buyer)

      const checkout = await client
        .post(`/checkout/${paid.version.id}`)
        .form({ licenceTextId })
        .loginAs(buyer)
        .withCsrfToken()
        .redirects(0)
      const claim = await client
        .post(`/licences/claim/${free.version.id}`)
        .form({ licenceTextId, agree: 'no' })
        .loginAs(buyer)
        .withCsrfToken()
        .redirects(0)

      checkout.assertStatus(302)
      checkout.assertHeader('location', `/catalog/${paid.slug}`)
      checkout.assertFlashMessage('error', NOT_AGREED)
      claim.assertHeader('location', `/catalog/${free.slug}`)
      claim.assertFlashMessage('error', NOT_AGREED)
      assert.lengthOf(await Order.all(), 0)
      assert.lengthOf(await Licence.all(), 0)
    })

    test('a text id that is not the current one (a new version, or garbage) is refused: read and agree again', async ({
      client,
      assert,
      cleanup,
    }) => {
      await useFakeStripe(cleanup)
      const admin = await makeUser('admin')
      const buyer = await makeUser('buyer')
      const paid = await forSale(2500)
      const free = await forSale(0)
      const stale = await shownOnPage(client, paid.slug, buyer)
      await new LicenceTextService().publish(admin, {
        licenceType: paid.version.licenceType,
        title: 'Research licence, second edition',
        body: `${stale.body}\nAdded: cite the dataset version in publications.`,
      })

      const checkout = await client
        .post(`/checkout/${paid.version.id}`)
        .form({ agree: '1', licenceTextId: stale.licenceTextId })
        .loginAs(buyer)
        .withCsrfToken()
        .redirects(0)
      const claim = await client
        .post(`/licences/claim/${free.version.id}`)
        .form({ agree: '1', licenceTextId: stale.licenceTextId })
        .loginAs(buyer)
        .withCsrfToken()
        .redirects(0)
      const garbage = await client
        .post(`/checkout/${paid.version.id}`)
        .form({ agree: '1', licenceTextId: 'x1' })
        .loginAs(buyer)
        .withCsrfToken()
        .redirects(0)

      for (const response of [checkout, claim, garbage]) {
        response.assertStatus(302)
        assert.match(String(response.flashMessages()?.error), CHANGED)
      }
      checkout.assertHeader('location', `/catalog/${paid.slug}`)
      assert.lengthOf(await Order.all(), 0)
      assert.lengthOf(await Licence.all(), 0)
      const fresh = await shownOnPage(client, paid.slug, buyer)
      assert.notEqual(fresh.licenceTextId, stale.licenceTextId)
      assert.include(fresh.body!, 'Added: cite the dataset version')
    })

    test('publishing v2: new purchases cite v2; a v1 licence keeps v1 on its page and in its ZIP', async ({
      client,
      assert,
      cleanup,
    }) => {
      const fake = await useFakeStripe(cleanup)
      const admin = await makeUser('admin')
      const earlier = await makeUser('buyer')
      const later = await makeUser('buyer')
      const { version, slug } = await forSale(2500)
      const v1 = await new LicenceTextService().current(version.licenceType)
      const old = await licenceFor(earlier, version)
      const v2Body = `${v1.body}\r\n## Attribution\r\n\r\nCite the dataset version in any publication.\r\n`

      const published = await client
        .post('/admin/licence-texts')
        .form({
          licenceType: version.licenceType,
          title: 'Athera Research Licence (2nd edition)',
          body: v2Body,
        })
        .loginAs(admin)
        .withCsrfToken()
        .redirects(0)

      published.assertHeader('location', '/admin/licence-texts')
      const v2 = await LicenceText.query()
        .where('licence_type', version.licenceType)
        .where('version', v1.version + 1)
        .firstOrFail()
      // Line breaks as shown, trimmed like every text field, and the hash of exactly that.
      assert.equal(v2.body, v2Body.replace(/\r\n/g, '\n').trim())
      assert.equal(v2.sha256, sha256(v2.body))
      assert.equal(v2.publishedBy, admin.id)
      const log = await AuditLog.query().where('action', 'licence_text.published').firstOrFail()
      assert.equal(log.actorId, admin.id)
      assert.equal(log.subjectId, String(v2.id))
      assert.equal(log.meta.sha256, v2.sha256)
      assert.equal(log.meta.version, v2.version)

      const shown = await shownOnPage(client, slug, later)
      assert.equal(shown.body, v2.body)
      const response = await client
        .post(`/checkout/${version.id}`)
        .form({ agree: '1', licenceTextId: shown.licenceTextId })
        .loginAs(later)
        .withCsrfToken()
        .redirects(0)
      await fake.pay(sessionIdOf(response.header('location')!))
      const bought = await Licence.query().where('buyer_id', later.id).firstOrFail()
      assert.deepEqual(
        [bought.licenceTextId, bought.termsVersion, bought.termsSha256],
        [v2.id, v2.version, v2.sha256]
      )

      const oldPage = await licencePage(client, old, earlier)
      assert.equal(oldPage.body, v1.body)
      assert.equal(oldPage.hash, v1.sha256)
      const oldZip = await zipFilesOf(old, cleanup)
      assert.equal(oldZip.get('LICENCE.md')!.toString('utf8'), v1.body)
      const newZip = await zipFilesOf(bought, cleanup)
      assert.equal(newZip.get('LICENCE.md')!.toString('utf8'), v2.body)
    }).timeout(30_000)

    test("the admin pages list each type's versions with their licences, and show one exactly", async ({
      client,
      assert,
    }) => {
      const admin = await makeUser('admin')
      const buyer = await makeUser('buyer')
      const { version } = await forSale(0)
      await licenceFor(buyer, version)
      const research = await new LicenceTextService().current('research')
      const commercial = await new LicenceTextService().current('commercial')

      const index = await client.get('/admin/licence-texts').loginAs(admin)
      const show = await client.get(`/admin/licence-texts/${commercial.id}`).loginAs(admin)
      const missing = await client.get('/admin/licence-texts/999999').loginAs(admin)

      index.assertStatus(200)
      const html = index.text()
      assert.include(html, 'data-licence-type="research"')
      assert.include(html, 'data-licence-type="commercial"')
      assert.include(html, research.sha256.slice(0, 16))
      assert.include(html, commercial.sha256.slice(0, 16))
      assert.include(html, 'data-licences="1"')
      show.assertStatus(200)
      assert.include(show.text(), commercial.sha256)
      assert.equal(
        unescapeHtml(show.text().match(/data-testid="licence-text">([\s\S]*?)<\/div>/)![1]),
        commercial.body
      )
      missing.assertStatus(404)
    })

    test('a text too short or without a type is refused with form errors, publishing nothing', async ({
      client,
      assert,
    }) => {
      const admin = await makeUser('admin')
      const licenceTexts = await LicenceText.all()
      const before = licenceTexts.length

      const response = await client
        .post('/admin/licence-texts')
        .form({ licenceType: 'pirate', title: 'Short', body: 'Too short.' })
        .loginAs(admin)
        .withCsrfToken()
        .redirects(0)

      response.assertStatus(302)
      assert.equal(fieldErrors(response, 'body')[0], 'The text must be at least 50 characters.')
      assert.equal(
        fieldErrors(response, 'licenceType')[0],
        'Choose which licence type this text is for: research or commercial.'
      )
      assert.lengthOf(await LicenceText.all(), before)
    })

    test('a buyer cannot publish a licence text', async ({ client, assert }) => {
      const licenceTexts = await LicenceText.all()
      const before = licenceTexts.length

      const response = await client
        .post('/admin/licence-texts')
        .form({ licenceType: 'research', title: 'Mine now', body: 'x'.repeat(80) })
        .loginAs(await makeUser('buyer'))
        .withCsrfToken()
        .header('referer', '/catalog')
        .redirects(0)

      response.assertStatus(302)
      assert.lengthOf(await LicenceText.all(), before)
    })
  }
)
