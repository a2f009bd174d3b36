import { test } from '@japa/runner'
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import app from '@adonisjs/core/services/app'
import testUtils from '@adonisjs/core/services/test_utils'
import { defineErrors, FeatureError, type ErrorEntry } from '#app/core/errors'
import { fragmentOrPage, isHtmx, wantsFragment } from '#app/core/htmx'
import HttpExceptionHandler from '#exceptions/handler'
import { toApiError } from '#exceptions/api_error'
import { QUEUE_ERRORS, QueueUnavailableError } from '#app/core/queue_service'
import { accountErrors, credentialErrors, sessionErrors, tokenErrors } from '#app/accounts/errors'
import {
  invitationErrors,
  invitationSignupErrors,
  settingsErrors,
  userAdminErrors,
} from '#app/admin/errors'
import { catalogErrors } from '#app/catalog/errors'
import { clipErrors } from '#app/clips/errors'
import { checkoutErrors, connectErrors, refundErrors, transferErrors } from '#app/commerce/errors'
import { consentErrors } from '#app/consent/errors'
import { datasetErrors, eligibilityErrors, exportErrors, notForSale } from '#app/datasets/errors'
import { agreementErrors, grantErrors, licenceTextErrors } from '#app/licences/errors'
import { decisionErrors, redactionErrors, reviewErrors } from '#app/moderation/errors'
import { noticeErrors } from '#app/notices/errors'
import { uploadErrors } from '#app/uploads/errors'
import { webhookErrors, webhookUrlErrors } from '#app/webhooks/errors'
import { inlineRefusals } from '#tests/helpers/inline_refusals'

/** Every catalog of app/: a new feature's errors.ts belongs here. */
const CATALOGS: Record<string, Record<string, ErrorEntry>> = {
  accounts: accountErrors.catalog,
  accountCredentials: credentialErrors.catalog,
  accountTokens: tokenErrors.catalog,
  accountSessions: sessionErrors.catalog,
  adminUsers: userAdminErrors.catalog,
  adminInvitations: invitationErrors.catalog,
  adminInvitationSignups: invitationSignupErrors.catalog,
  adminSettings: settingsErrors.catalog,
  catalog: catalogErrors.catalog,
  clips: clipErrors.catalog,
  commerce: { ...refundErrors.catalog, ...transferErrors.catalog },
  commerceCheckout: checkoutErrors.catalog,
  commerceConnect: connectErrors.catalog,
  consent: consentErrors.catalog,
  datasets: { ...notForSale.catalog, ...exportErrors.catalog },
  /** The clips' eligibility reasons (eligibilityErrors) and the dataset actions' refusals. */
  datasetActions: datasetErrors.catalog,
  licences: licenceTextErrors.catalog,
  licencesAgreement: agreementErrors.catalog,
  licencesGrant: grantErrors.catalog,
  moderation: redactionErrors.catalog,
  moderationDecisions: decisionErrors.catalog,
  moderationReview: reviewErrors.catalog,
  notices: noticeErrors.catalog,
  uploads: uploadErrors.catalog,
  webhooks: { ...webhookUrlErrors.catalog, ...webhookErrors.catalog },
  queue: QUEUE_ERRORS,
}

/** Params that fill any sentence's placeholders: each sentence reads only the names it needs. */
const WORDS: Record<string, unknown> = {
  why: 'As another check said.',
  name: 'clip.mp4',
  title: 'Drill',
  day: '1 Jan 2026',
  script: '#EXTM3U',
  type: 'commercial',
  statusLabel: 'Ready',
  instance: 'Athera',
  seconds: 12.5,
  message: 'Stripe said no.',
  clipRefusals: [{ code: 'E_CLIP_REJECTED', title: 'Drill', type: 'research' }],
  unprocessed: ['keypoints', 'metadata'],
}
const PARAMS = new Proxy({} as Record<string, unknown>, {
  get: (_, name) => (typeof name === 'string' && name in WORDS ? WORDS[name] : 7),
})

async function contextWith(headers: Record<string, string>) {
  const req = new IncomingMessage(new Socket())
  req.method = 'GET'
  req.url = '/somewhere'
  req.headers = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])
  )
  const res = new ServerResponse(req)
  return testUtils.createHttpContext({ req, res })
}

class DemoError extends FeatureError<'E_DEMO_REFUSED' | 'E_DEMO_GONE'> {}
const demo = defineErrors(DemoError, {
  E_DEMO_REFUSED: {
    status: 409,
    sentence: ({ name }: { name: string }) => `“${name}” cannot be done now.`,
  },
  E_DEMO_GONE: {
    status: 503,
    page: 'pages/errors/unavailable',
    headers: { 'Retry-After': '60' },
    api: 'unavailable',
    sentence: 'Gone for a minute.',
  },
})

test.group('Feature errors: one code, one sentence', (group) => {
  group.each.timeout(8000)
  test('every code of every catalog has a status and a sentence', ({ assert }) => {
    for (const [feature, catalog] of Object.entries(CATALOGS)) {
      assert.isAbove(Object.keys(catalog).length, 0, feature)
      for (const [code, entry] of Object.entries(catalog)) {
        assert.match(code, /^E_[A-Z0-9_]+$/, `${feature}: ${code}`)
        assert.isTrue(
          entry.status >= 400 && entry.status < 600,
          `${feature}: ${code} has status ${entry.status}`
        )
        const sentence =
          typeof entry.sentence === 'function' ? entry.sentence(PARAMS) : entry.sentence
        assert.match(sentence, /^\S.*[.!?]$/, `${feature}: ${code} reads “${sentence}”`)
        assert.notMatch(sentence, /undefined|\[object/, `${feature}: ${code} reads “${sentence}”`)
      }
    }
  })

  test('no refusal outside an errors.ts carries its own words: results and answers carry codes', ({
    assert,
  }) => {
    const found = inlineRefusals(app.makePath())
    assert.deepEqual(
      found.map(({ file, line, text }) => `${file}:${line} ${text}`),
      [],
      'return { ok: false, code, …facts } and word it with the feature’s catalog (describe/sentence)'
    )
  })

  test('raise builds the feature’s own class, with code, status, params and the sentence as its message', ({
    assert,
  }) => {
    const error = demo.raise(
      'E_DEMO_REFUSED',
      { name: 'Drill' },
      { back: '/back', detail: 'for the log' }
    )
    assert.instanceOf(error, DemoError)
    assert.instanceOf(error, FeatureError)
    assert.equal(error.code, 'E_DEMO_REFUSED')
    assert.equal(error.status, 409)
    assert.deepEqual(error.params, { name: 'Drill' })
    assert.equal(error.message, '“Drill” cannot be done now.')
    assert.equal(error.back, '/back')
    assert.equal(error.detail, 'for the log')
    assert.equal(demo.sentence('E_DEMO_GONE'), 'Gone for a minute.')
  })

  test('sentences are today’s, word for word', ({ assert }) => {
    assert.equal(
      consentErrors.sentence('E_TEXT_CHANGED', { version: 4 }),
      'The consent text changed while you were reading it (it is now version 4). Read the new version below and sign again.'
    )
    assert.equal(
      consentErrors.sentence('E_ALREADY_WITHDRAWN', { scope: 'licensing' }),
      'Licensing is already withdrawn for this clip; nothing more to do.'
    )
    assert.equal(
      uploadErrors.sentence('E_TOO_LARGE', { bytes: 2_500_000_000, max: 2_000_000_000 }),
      'The file is 2.5 GB; the largest upload this instance accepts is 2.0 GB.'
    )
    assert.equal(
      notForSale.sentence('E_VERSION_HELD', { version: 1, latest: 1, heldClips: 1 }).split(',')[0],
      'This version holds 1 clip whose consent does not cover this licence'
    )
    assert.equal(
      new QueueUnavailableError().message,
      'The job queue cannot be reached right now. Try again in a minute.'
    )
    assert.equal(new QueueUnavailableError().status, 503)
    assert.equal(
      transferErrors.describe({ code: 'E_NOT_RETRYABLE', status: 'failed', reason: null }),
      'This transfer was cancelled. There is nothing to send.'
    )
    assert.equal(
      refundErrors.describe({ code: 'E_NOT_REFUNDABLE', status: 'refunded' }),
      'This order is refunded; only a paid order can be refunded.'
    )
    assert.equal(
      transferErrors.describe({ code: 'E_STRIPE_REFUSED', message: null }),
      'Stripe refused the transfer again: Stripe refused the transfer. It stays pending.'
    )
    assert.equal(
      checkoutErrors.describe({ code: 'E_STRIPE', slug: 'drill', message: 'Stripe said no.' }),
      'Stripe said no. Nothing was charged.'
    )
    assert.equal(
      agreementErrors.describe({ code: 'E_TERMS_CHANGED', version: 2 }),
      'The licence terms changed while you were reading them (they are now version 2). Read the new version below and agree again.'
    )
    const facts = { version: 1, latest: 1, heldClips: 2 }
    for (const sale of ['E_VERSION_HELD', 'E_NOTHING_LICENSABLE'] as const) {
      assert.equal(
        grantErrors.describe({ code: 'E_NOT_LICENSABLE', sale, ...facts }),
        notForSale.sentence(sale, facts)
      )
    }
  })

  test('datasets’ and moderation’s refusals read as they did when services wrote them', ({
    assert,
  }) => {
    const rejected = { code: 'E_CLIP_REJECTED', title: 'Drill', type: 'research' } as const
    const unprocessed = {
      code: 'E_FILES_MISSING',
      title: 'Drill',
      unprocessed: ['keypoints', 'metadata'],
    } as const
    const sentences: [string, string][] = [
      [
        datasetErrors.describe({ code: 'E_NOTHING_PICKED' }),
        'Pick at least one approved clip before publishing.',
      ],
      [
        datasetErrors.describe({ code: 'E_NO_SPORT' }),
        'Choose the sport of this dataset before publishing.',
      ],
      [
        datasetErrors.describe({
          code: 'E_NOTHING_PUBLISHABLE',
          clipRefusals: [unprocessed, { code: 'E_KEYPOINTS_UNREADABLE', title: 'Sprint' }],
        }),
        'Nothing to publish: none of the picked clips can enter a version. “Drill” has no processed keypoints, metadata and was left out. “Sprint”: its keypoints could not be read, so it was left out.',
      ],
      [
        datasetErrors.describe({ code: 'E_CHANGED_WHILE_PUBLISHING', clipRefusals: [rejected] }),
        '“Drill” was rejected in review and cannot enter a dataset. Publish again to leave it out.',
      ],
      [
        datasetErrors.describe({ code: 'E_UNCHANGED', version: 3 }),
        'Nothing changed since version 3: add or remove clips, or change the price or licence, then publish.',
      ],
      [
        datasetErrors.describe({
          code: 'E_LICENCE_BLOCKED',
          type: 'commercial',
          clipRefusals: [rejected, { code: 'E_CLIP_MISSING' }],
        }),
        'This dataset cannot become commercial: 2 picked clips block it. “Drill” was rejected in review and cannot enter a dataset. One of the picked clips does not exist any more. Reload the page and pick again. Remove them from the selection first.',
      ],
      [
        datasetErrors.describe({ code: 'E_NOT_PUBLISHED' }),
        'This dataset is not published, so there is nothing to unpublish.',
      ],
      [
        eligibilityErrors.describe({ code: 'E_RESEARCH_ONLY', title: 'Drill', type: 'commercial' }),
        '“Drill” is consented for research use only: it can enter research datasets, not a commercial one.',
      ],
      [
        decisionErrors.describe({ code: 'E_CLIPS_GONE', missing: 2 }),
        '2 of the selected clips no longer exist.',
      ],
      [
        redactionErrors.describe({ code: 'E_STILL_TRACKING' }),
        'The box is still being followed through its range; re-render once the tracked boxes are shown.',
      ],
      [
        redactionErrors.describe({ code: 'E_ALREADY_RENDERED' }),
        'This redaction is already in the video.',
      ],
      [
        redactionErrors.describe({ code: 'E_REDACTION_BUSY' }),
        'The re-render is already running; it cannot be cancelled now. Draw a new box afterwards if needed.',
      ],
      [
        redactionErrors.describe({ code: 'E_REDACTION_BUSY', title: 'Drill' }),
        'A re-render of “Drill” is already running; wait for it to finish, then draw the next box.',
      ],
      [
        redactionErrors.describe({ code: 'E_REDACTION_NOT_FOUND', replaced: true }),
        'This redaction was replaced or cancelled; draw the box again.',
      ],
      [
        redactionErrors.describe({ code: 'E_FRAME_PAST_END', frame: 90, frameCount: 90 }),
        'Frame 90 is past the end of the clip (90 frames).',
      ],
      [
        redactionErrors.describe({ code: 'E_NO_METADATA', title: 'Drill' }),
        '“Drill” has no readable metadata.json describing its video, so it cannot be redacted here.',
      ],
      [
        reviewErrors.sentence('E_NO_REGIONS'),
        'This clip was processed before blurred regions were recorded.',
      ],
      [clipErrors.sentence('E_NO_KEYPOINTS'), 'This clip has no keypoints yet.'],
    ]
    for (const [sentence, expected] of sentences) assert.equal(sentence, expected)
  })
})

test.group('Exception handler: a feature error as page, fragment or JSON', (group) => {
  group.each.timeout(8000)
  test('a browser gets the page the catalog names, with the status and its headers', async ({
    assert,
  }) => {
    const ctx = await contextWith({ Accept: 'text/html' })
    const rendered: [string, Record<string, unknown>][] = []
    const render = async (template: string, state: Record<string, unknown>) => (
      rendered.push([template, state]),
      `<page>${state.message}</page>`
    )
    Object.defineProperty(ctx, 'view', { value: { render } })
    await new HttpExceptionHandler().handle(demo.raise('E_DEMO_GONE'), ctx)
    assert.equal(ctx.response.getStatus(), 503)
    assert.equal(ctx.response.getHeader('Retry-After'), '60')
    assert.deepEqual(rendered, [
      ['pages/errors/unavailable', { message: 'Gone for a minute.', back: null, status: 503 }],
    ])
    assert.equal(ctx.response.getBody(), '<page>Gone for a minute.</page>')
  })

  test('without a page of its own, the generic page gets the sentence and the way back', async ({
    assert,
  }) => {
    const ctx = await contextWith({ Accept: 'text/html' })
    const rendered: [string, Record<string, unknown>][] = []
    const render = async (template: string, state: Record<string, unknown>) => (
      rendered.push([template, state]),
      '<page>'
    )
    Object.defineProperty(ctx, 'view', { value: { render } })
    await new HttpExceptionHandler().handle(
      demo.raise('E_DEMO_REFUSED', { name: 'Drill' }, { back: '/datasets' }),
      ctx
    )
    assert.equal(ctx.response.getStatus(), 409)
    assert.deepEqual(rendered, [
      [
        'pages/errors/refused',
        { message: '“Drill” cannot be done now.', back: '/datasets', status: 409 },
      ],
    ])
  })

  test('htmx gets the refusal alone, no page shell', async ({ assert }) => {
    const ctx = await contextWith({ 'Accept': 'text/html', 'HX-Request': 'true' })
    await new HttpExceptionHandler().handle(demo.raise('E_DEMO_REFUSED', { name: 'Drill' }), ctx)
    assert.equal(ctx.response.getStatus(), 409)
    const html = String(ctx.response.getBody())
    assert.include(html, '“Drill” cannot be done now.')
    assert.include(html, 'href="/"')
    assert.notInclude(html, '<html')
  })

  test('a JSON client gets the code and the sentence', async ({ assert }) => {
    const ctx = await contextWith({ Accept: 'application/json' })
    await new HttpExceptionHandler().handle(demo.raise('E_DEMO_REFUSED', { name: 'Drill' }), ctx)
    assert.equal(ctx.response.getStatus(), 409)
    assert.deepEqual(ctx.response.getBody(), {
      errors: [{ code: 'E_DEMO_REFUSED', message: '“Drill” cannot be done now.' }],
    })
  })

  test('the REST API answers with the catalog’s API code, or by status', async ({ assert }) => {
    const ctx = await contextWith({ Accept: 'application/json' })
    const gone = toApiError(demo.raise('E_DEMO_GONE'), ctx)
    assert.deepInclude(gone, { status: 503, apiCode: 'unavailable', message: 'Gone for a minute.' })
    assert.equal(gone.headers['Retry-After'], '60')
    const refused = toApiError(demo.raise('E_DEMO_REFUSED', { name: 'Drill' }), ctx)
    assert.deepInclude(refused, {
      status: 409,
      apiCode: 'bad_request',
      message: '“Drill” cannot be done now.',
    })
    const missing = toApiError(noticeErrors.raise('E_NOTICE_NOT_FOUND'), ctx)
    assert.deepInclude(missing, { status: 404, apiCode: 'not_found' })
    const undeliverable = toApiError(
      exportErrors.raise('E_OBJECT_MISSING', undefined, {
        detail: 'videos/a.mp4 is not in storage',
      }),
      ctx
    )
    assert.deepInclude(undeliverable, { status: 409, apiCode: 'unavailable' })
    assert.notInclude(undeliverable.message, 'videos/a.mp4')
    // The queue's 503 has no API code: the API keeps answering it as an internal error.
    assert.deepInclude(toApiError(new QueueUnavailableError(), ctx), {
      status: 500,
      apiCode: 'internal_error',
    })
  })
})

test.group('fragmentOrPage', (group) => {
  group.each.timeout(8000)
  const answers = { fragment: () => 'fragment', page: () => 'page' }

  test('htmx gets the fragment, anyone else the page; both vary on HX-Request', async ({
    assert,
  }) => {
    const htmx = await contextWith({ 'HX-Request': 'true' })
    assert.equal(await fragmentOrPage(htmx, answers), 'fragment')
    assert.equal(htmx.response.getHeader('Vary'), 'HX-Request')
    const browser = await contextWith({})
    assert.equal(await fragmentOrPage(browser, answers), 'page')
    assert.equal(browser.response.getHeader('Vary'), 'HX-Request')
  })

  test('a history restore needs the whole page; only the answer sent is rendered', async ({
    assert,
  }) => {
    const restore = await contextWith({
      'HX-Request': 'true',
      'HX-History-Restore-Request': 'true',
    })
    assert.isTrue(isHtmx(restore.request))
    assert.isFalse(wantsFragment(restore.request))
    let fragments = 0
    assert.equal(
      await fragmentOrPage(restore, {
        fragment: () => String(++fragments),
        page: async () => 'page',
      }),
      'page'
    )
    assert.equal(fragments, 0)
  })

  test('only HX-Request: true is htmx', async ({ assert }) => {
    const notHtmxContext = await contextWith({ 'HX-Request': 'false' })
    assert.isFalse(isHtmx(notHtmxContext.request))
    const bareContext = await contextWith({})
    assert.isFalse(isHtmx(bareContext.request))
  })
})
