import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import AuditLog from '#models/audit_log'
import type Clip from '#models/clip'
import Dataset from '#models/dataset'
import type { LicenceType } from '#models/dataset'
import type { ConsentScope, ConsentUsage } from '#models/consent_record'
import Licence from '#models/licence'
import type User from '#models/user'
import { ConsentService } from '#app/consent/consent_service'
import { DatasetService } from '#app/datasets/dataset_service'
import { datasetErrors } from '#app/datasets/errors'
import { licensingProblems } from '#app/datasets/clip_eligibility'
import { saleStatus } from '#app/datasets/version_sale'
import { ClipFactory } from '#database/factories/clip_factory'
import {
  approvedClipWithAssets,
  clipUnder,
  draftDataset,
  publishWith,
} from '#tests/helpers/catalog'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { tokenFor } from '#tests/functional/api/helpers'
import { agreement } from '#tests/helpers/licence_texts'

/** A version row of `type` with no clips, for raw inserts into its clip list. */
async function emptyVersion(owner: User, type: LicenceType) {
  const dataset = await draftDataset(owner, { licenceType: type })
  const [row] = await db
    .table('dataset_versions')
    .insert({
      dataset_id: dataset.id,
      version: 1,
      manifest: JSON.stringify({ format: 1, clips: [] }),
      manifest_sha256: 'c'.repeat(64),
      stats: JSON.stringify({ clips: 0, duration_ms: 0, people: 0, keypoint_frames: 0 }),
      price_cents: 0,
      currency: 'USD',
      licence_type: type,
    })
    .returning('id')
  return row.id as string
}

/** A raw INSERT into a version's clip list, in a savepoint so a refusal leaves the test's transaction usable. */
async function rawInsert(versionId: string, clipId: string, position: number) {
  const trx = await db.transaction()
  try {
    await trx.rawQuery(
      'INSERT INTO dataset_version_clips (dataset_version_id, clip_id, position, seconds) VALUES (?, ?, ?, 5)',
      [versionId, clipId, position]
    )
    await trx.commit()
    return null
  } catch (error) {
    await trx.rollback()
    return error as { constraint?: string; message: string }
  }
}

/**
 * Rows as they could exist before migration 0017: the trigger is switched off for one insert,
 * inside the test's transaction (rolled back after the test).
 */
async function insertBypassingGuard(versionId: string, clipId: string, position: number) {
  await db.rawQuery(
    'ALTER TABLE dataset_version_clips DISABLE TRIGGER dataset_version_clips_usable_clip'
  )
  await db.rawQuery(
    'INSERT INTO dataset_version_clips (dataset_version_id, clip_id, position, seconds) VALUES (?, ?, ?, 5)',
    [versionId, clipId, position]
  )
  await db.rawQuery(
    'ALTER TABLE dataset_version_clips ENABLE TRIGGER dataset_version_clips_usable_clip'
  )
}

async function withdrawLicensing(creator: User, clip: Clip) {
  const consent = await app.container.make(ConsentService)
  return consent.withdraw(creator, clip.id, {
    ip: '127.0.0.1',
    userAgent: 'test',
    scope: 'licensing',
  })
}

const SCOPES: ConsentScope[][] = [['processing'], ['processing', 'licensing']]
const USAGES: ConsentUsage[] = ['research', 'commercial', 'research_and_commercial']
const TYPES: LicenceType[] = ['research', 'commercial']

/** The rule as the issue states it, written independently of the SQL. */
function expected(
  scopes: ConsentScope[],
  usage: ConsentUsage,
  type: LicenceType,
  licensingWithdrawn: boolean
) {
  if (!scopes.includes('licensing')) return 'no_licensing_consent'
  if (licensingWithdrawn) return 'licensing_withdrawn'
  if (type === 'commercial' && usage === 'research') return 'research_only'
  if (type === 'research' && usage === 'commercial') return 'commercial_only'
  return null
}

test.group('Consent eligibility: scope × usage × licence type', (group) => {
  group.each.setup(isolate)

  test('the service, the picker and the database agree on every combination', async ({
    assert,
  }) => {
    const creator = await makeUser('creator')
    const datasets = await app.container.make(DatasetService)
    const versions = {
      research: await emptyVersion(creator, 'research'),
      commercial: await emptyVersion(creator, 'commercial'),
    }
    let position = 0
    let cases = 0
    for (const scopes of SCOPES) {
      for (const usage of USAGES) {
        for (const withdrawn of scopes.includes('licensing') ? [false, true] : [false]) {
          const clip = await clipUnder(creator, { scopes, usage })
          if (withdrawn) await withdrawLicensing(creator, clip)
          for (const type of TYPES) {
            cases++
            const want = expected(scopes, usage, type, withdrawn)
            const label = `${scopes.join('+')} / ${usage} / ${type}${withdrawn ? ' / licensing withdrawn' : ''}`

            // Service level: the one function, and what the picker does with it.
            const problems = await licensingProblems([clip.id], type)
            assert.equal(problems.get(clip.id), want, label)
            const dataset = await draftDataset(creator, { licenceType: type })
            const picked = await datasets.setClips(dataset, creator, [clip.id])
            assert.equal(picked.ok, want === null, `${label}: picker`)
            if (!picked.ok)
              assert.include(
                datasetErrors.describe(picked),
                clip.title,
                `${label}: the refusal names the clip`
              )

            // Database level: a raw insert, whichever code sends it.
            const error = await rawInsert(versions[type], clip.id, position++)
            if (want === null) {
              assert.isNull(error, `${label}: accepted`)
            } else {
              assert.equal(
                error?.constraint,
                'dataset_version_clips_licensable_clip',
                `${label}: refused by the trigger`
              )
              assert.match(
                error!.message,
                new RegExp(`E_CLIP_NOT_LICENSABLE: .*\\(${want}\\)`),
                label
              )
            }
          }
        }
      }
    }
    assert.equal(cases, 2 * 3 * 2 + 3 * 2)
  })

  test('withdrawn, rejected and unapproved clips are refused at both levels', async ({
    assert,
  }) => {
    const creator = await makeUser('creator')
    const versionId = await emptyVersion(creator, 'research')
    for (const [state, problem] of [
      ['withdrawn', 'withdrawn'],
      ['rejected', 'rejected'],
      ['processed', 'not_approved'],
    ] as const) {
      const clip = await ClipFactory.apply(state).merge({ userId: creator.id }).create()
      const problems = await licensingProblems([clip.id], 'research')
      assert.equal(problems.get(clip.id), problem)
      const error = await rawInsert(versionId, clip.id, 0)
      assert.equal(error?.constraint, 'dataset_version_clips_licensable_clip', state)
    }
  })
})

test.group('Consent eligibility: pickers, publishing and the licence switch', (group) => {
  group.each.setup(isolate)

  test('the editor greys ineligible clips with the reason and publishing leaves them out', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const ok = await clipUnder(
      creator,
      { scopes: ['processing', 'licensing'], usage: 'research_and_commercial' },
      {},
      true
    )
    const processingOnly = await clipUnder(
      creator,
      { scopes: ['processing'], usage: 'research_and_commercial' },
      {},
      true
    )
    const researchOnly = await clipUnder(
      creator,
      { scopes: ['processing', 'licensing'], usage: 'research' },
      {},
      true
    )
    const dataset = await draftDataset(creator, { licenceType: 'commercial' })

    const page = await client.get(`/my/datasets/${dataset.id}/edit`).loginAs(creator)
    page.assertStatus(200)
    const html = page.text()
    assert.include(html, `data-available-clip="${ok.id}"`)
    assert.notInclude(
      html.split(`data-available-clip="${ok.id}"`)[1].split('</li>')[0],
      'data-ineligible'
    )
    for (const [clip, words] of [
      [processingOnly, 'covers processing only, not licensing'],
      [researchOnly, 'consented for research use only'],
    ] as const) {
      const item = html.split(`data-available-clip="${clip.id}"`)[1].split('</li>')[0]
      assert.include(item, 'data-ineligible')
      assert.include(item, 'disabled')
      assert.notInclude(item, 'name="clips[]"')
      assert.include(item, words)
    }

    // A forged form that ticks them anyway changes nothing.
    const forged = await client
      .post(`/my/datasets/${dataset.id}/clips`)
      .form({ clips: [ok.id, researchOnly.id] })
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    forged.assertStatus(302)
    const counted = await db.from('dataset_clips').where('dataset_id', dataset.id).count('* as n')
    assert.equal(Number(counted[0].n), 0)

    const version = await publishWith(dataset, creator, [ok])
    const rows = await db
      .from('dataset_version_clips')
      .where('dataset_version_id', version.id)
      .select('clip_id')
    assert.deepEqual(
      rows.map((row) => row.clip_id),
      [ok.id]
    )
  })

  test('switching a dataset to commercial lists the clips that block it, and nothing changes', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const researchOnly = await clipUnder(creator, {
      scopes: ['processing', 'licensing'],
      usage: 'research',
    })
    const both = await clipUnder(creator, {
      scopes: ['processing', 'licensing'],
      usage: 'research_and_commercial',
    })
    const dataset = await draftDataset(creator, { licenceType: 'research' })
    const service = await app.container.make(DatasetService)
    const result = await service.setClips(dataset, creator, [researchOnly.id, both.id])
    assert.isTrue(result.ok)

    const response = await client
      .put(`/my/datasets/${dataset.id}`)
      .form({ title: dataset.title, sport: 'football', licenceType: 'commercial', price: '25' })
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(302)
    const message = String(response.flashMessage('error'))
    assert.include(message, 'This dataset cannot become commercial: 1 picked clip blocks it.')
    assert.include(message, `“${researchOnly.title}” is consented for research use only`)
    assert.notInclude(message, `“${both.title}” is`)
    const stillPublished = await Dataset.findOrFail(dataset.id)
    assert.equal(stillPublished.licenceType, 'research')
  })

  test('withdrawing licensing only keeps the clip but takes it out of every selection and future version', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const clip = await clipUnder(
      creator,
      { scopes: ['processing', 'licensing'], usage: 'research_and_commercial' },
      {},
      true
    )
    const other = await clipUnder(
      creator,
      { scopes: ['processing', 'licensing'], usage: 'research_and_commercial' },
      {},
      true
    )
    const dataset = await draftDataset(creator)
    await publishWith(dataset, creator, [clip, other])

    const page = await client.get(`/clips/${clip.id}/withdraw`).loginAs(creator)
    page.assertTextIncludes('Licensing only')
    const response = await client
      .post(`/clips/${clip.id}/withdraw`)
      .form({ scope: 'licensing' })
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)

    await clip.refresh()
    assert.equal(clip.status, 'approved')
    const record = await db
      .from('consent_records')
      .where('withdraws_record_id', clip.consentRecordId)
      .firstOrFail()
    assert.deepEqual(record.scopes, ['licensing'])
    const rows = await db.from('dataset_clips').where('dataset_id', dataset.id).select('clip_id')
    assert.deepEqual(
      rows.map((row) => row.clip_id),
      [other.id]
    )
    const problems = await licensingProblems([clip.id], 'research')
    assert.equal(problems.get(clip.id), 'licensing_withdrawn')
    // A second licensing withdrawal says so; a full withdrawal is still possible.
    const again = await client
      .post(`/clips/${clip.id}/withdraw`)
      .form({ scope: 'licensing' })
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    again.assertFlashMessage(
      'error',
      'Licensing is already withdrawn for this clip; nothing more to do.'
    )
    const all = await client
      .post(`/clips/${clip.id}/withdraw`)
      .form({ scope: 'all' })
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    all.assertStatus(302)
    await clip.refresh()
    assert.equal(clip.status, 'withdrawn')
  })
})

test.group('Consent eligibility: only what may be sold is sold', (group) => {
  group.each.setup(isolate)

  test('an older version cannot be bought or claimed (409), the API says purchasable false and why', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const buyer = await makeUser('buyer')
    const first = await approvedClipWithAssets(creator)
    const dataset = await draftDataset(creator, { priceCents: 0 })
    const v1 = await publishWith(dataset, creator, [first])
    const v2 = await publishWith(dataset, creator, [first, await approvedClipWithAssets(creator)])

    const claim = await client
      .post(`/licences/claim/${v1.id}`)
      .form(await agreement(v1.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    claim.assertStatus(409)
    claim.assertTextIncludes('Version 1 is not the latest version of this dataset (version 2 is)')
    const checkout = await client
      .post(`/checkout/${v1.id}`)
      .form(await agreement(v1.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    checkout.assertStatus(409)
    assert.equal(await Licence.query().where('buyer_id', buyer.id).first(), null)

    const issued = await tokenFor(buyer)
    const token = issued.secret
    const api = await client.get(`/api/v1/datasets/${dataset.slug}`).bearerToken(token)
    api.assertStatus(200)
    const body = api.body()
    assert.isTrue(body.purchasable)
    assert.isNull(body.not_purchasable_reason)
    const old = body.versions.find((item: { number: number }) => item.number === 1)
    assert.isFalse(old.purchasable)
    assert.include(old.not_purchasable_reason, 'not the latest version')
    const oneVersion = await client
      .get(`/api/v1/datasets/${dataset.slug}/versions/1`)
      .bearerToken(token)
    assert.isFalse(oneVersion.body().purchasable)

    // The latest is claimed; a licence of v1 issued before stays downloadable.
    const latest = await client
      .post(`/licences/claim/${v2.id}`)
      .form(await agreement(v2.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    latest.assertStatus(302)
    assert.isNotNull(
      await Licence.query().where('buyer_id', buyer.id).where('dataset_version_id', v2.id).first()
    )
  })

  test('a version whose clips were all withdrawn is not for sale; its licence holders keep their licence', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const buyer = await makeUser('buyer')
    const clip = await approvedClipWithAssets(creator)
    const dataset = await draftDataset(creator, { priceCents: 0 })
    const version = await publishWith(dataset, creator, [clip])
    const claimed = await client
      .post(`/licences/claim/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    claimed.assertStatus(302)

    await withdrawLicensing(creator, clip)

    const status = await saleStatus(version.id)
    assert.deepInclude(status, {
      purchasable: false,
      code: 'E_NOTHING_LICENSABLE',
      licensableClips: 0,
      excludedClips: 1,
    })
    const other = await makeUser('buyer')
    const refused = await client
      .post(`/licences/claim/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(other)
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(409)
    refused.assertTextIncludes('Every clip of this version was withdrawn')
    const page = await client.get(`/catalog/${dataset.slug}`)
    page.assertTextIncludes('data-buy-action="unavailable"')
    const licence = await Licence.query().where('buyer_id', buyer.id).firstOrFail()
    const licencePage = await client.get(`/licences/${licence.id}`).loginAs(buyer)
    licencePage.assertStatus(200)
  })

  test('owners and admins unpublish a dataset (audited): no new sales, licences unaffected; publishing again relists it', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const admin = await makeUser('admin')
    const buyer = await makeUser('buyer')
    const dataset = await draftDataset(creator, { priceCents: 0 })
    const version = await publishWith(dataset, creator, [await approvedClipWithAssets(creator)])
    await client
      .post(`/licences/claim/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    const licence = await Licence.query().where('buyer_id', buyer.id).firstOrFail()

    const stranger = await makeUser('creator')
    const refused = await client
      .post(`/my/datasets/${dataset.id}/unpublish`)
      .loginAs(stranger)
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(302)
    const storedDataset = await Dataset.findOrFail(dataset.id)
    assert.equal(storedDataset.status, 'published')

    const response = await client
      .post(`/my/datasets/${dataset.id}/unpublish`)
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    const archived = await Dataset.findOrFail(dataset.id)
    assert.equal(archived.status, 'archived')
    const audit = await AuditLog.query()
      .where('action', 'dataset.unpublished')
      .where('subject_id', dataset.id)
      .firstOrFail()
    assert.equal(audit.actorId, creator.id)

    const unlisted = await client.get(`/catalog/${dataset.slug}`)
    unlisted.assertStatus(404)
    const claim = await client
      .post(`/licences/claim/${version.id}`)
      .form(await agreement(version.licenceType))
      .loginAs(await makeUser('buyer'))
      .withCsrfToken()
      .redirects(0)
    claim.assertStatus(409)
    claim.assertTextIncludes('not published any more')
    const asBuyer = await client.get(`/licences/${licence.id}`).loginAs(buyer)
    asBuyer.assertStatus(200)
    await licence.refresh()
    assert.isNull(licence.revokedAt)

    // An admin lists it again as it was: no new version.
    const again = await client
      .post(`/my/datasets/${dataset.id}/publish`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    again.assertStatus(302)
    const relisted = await Dataset.findOrFail(dataset.id)
    assert.equal(relisted.status, 'published')
    assert.equal(relisted.latestVersionId, version.id)
    assert.isNotNull(
      await AuditLog.query()
        .where('action', 'dataset.relisted')
        .where('subject_id', dataset.id)
        .first()
    )
    const listed = await client.get(`/catalog/${dataset.slug}`)
    listed.assertStatus(200)
  })

  test('a version published before the check, holding a clip its consent never covered, is held until a corrected version', async ({
    client,
    assert,
  }) => {
    const creator = await makeUser('creator')
    const admin = await makeUser('admin')
    const buyer = await makeUser('buyer')
    const good = await clipUnder(
      creator,
      { scopes: ['processing', 'licensing'], usage: 'research_and_commercial' },
      {},
      true
    )
    const processingOnly = await clipUnder(
      creator,
      { scopes: ['processing'], usage: 'research_and_commercial' },
      {},
      true
    )
    const dataset = await draftDataset(creator, { priceCents: 0, licenceType: 'commercial' })
    const v1 = await publishWith(dataset, creator, [good])
    // As if v1 had been published with the processing-only clip before migration 0017.
    await insertBypassingGuard(v1.id, processingOnly.id, 1)
    await db
      .table('dataset_clips')
      .insert({ dataset_id: dataset.id, clip_id: processingOnly.id, position: 1 })

    const claim = await client
      .post(`/licences/claim/${v1.id}`)
      .form(await agreement(v1.licenceType))
      .loginAs(buyer)
      .withCsrfToken()
      .redirects(0)
    claim.assertStatus(409)
    claim.assertTextIncludes('whose consent does not cover this licence')
    const log = await client.get('/admin/consent-log').loginAs(admin)
    log.assertTextIncludes('data-held-banner="1"')
    const held = await client.get('/admin/consent-log/held-versions').loginAs(admin)
    held.assertTextIncludes(`data-held-version="${v1.id}"`)
    held.assertTextIncludes('covers processing only, not licensing')
    held.assertTextIncludes('not for sale until corrected')

    // The admin publishes again: the clip is left out, v2 is for sale, v1 is superseded.
    const publish = await client
      .post(`/my/datasets/${dataset.id}/publish`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    publish.assertStatus(302)
    const v2 = await db
      .from('dataset_versions')
      .where('dataset_id', dataset.id)
      .where('version', 2)
      .firstOrFail()
    assert.isTrue((await saleStatus(v2.id))!.purchasable)
    const after = await client.get('/admin/consent-log/held-versions').loginAs(admin)
    after.assertTextIncludes('corrected version published')
    const response = await client.get('/admin/consent-log').loginAs(admin)
    response.assertTextIncludes('Consent log')
    const consentLog = await client.get('/admin/consent-log').loginAs(admin)
    assert.notInclude(consentLog.text(), 'data-held-banner')
  })
})
