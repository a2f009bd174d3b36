import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import AuditLog from '#models/audit_log'
import { SETTING_DEFAULTS, SettingsStore } from '#app/core/settings_store'
import { StorageService } from '#app/core/storage_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { fieldErrors } from '#tests/helpers/forms'
import { PNG_LOGO, SVG_WITH_SCRIPT } from '#tests/helpers/images'

/** The form as the page shows it for a fresh instance: saving it changes nothing. */
const UNCHANGED = {
  instanceName: SETTING_DEFAULTS.instance_name,
  commissionPercent: '20',
  currency: 'USD',
  priceMin: '10.00',
  priceMax: '100.00',
  sports: SETTING_DEFAULTS.sports.join(', '),
  registration: 'open',
  rawRetentionDays: '0',
  withdrawalAckDays: '30',
}

async function logoObjects() {
  const storage = await app.container.make(StorageService)
  return storage.list('previews', 'instance/logo/')
}

function save(client: any, admin: any, fields: Record<string, string>) {
  return client
    .put('/admin/settings')
    .form(fields)
    .loginAs(admin)
    .withCsrfToken()
    .header('referer', '/admin/settings')
    .redirects(0)
}

test.group('Instance settings', (group) => {
  group.each.setup(isolate)

  test('changing {key} saves it, audits from and to, and the next request sees it')
    .with([
      {
        key: 'instance_name',
        field: { instanceName: 'Lakeside Athletics' },
        to: 'Lakeside Athletics',
      },
      { key: 'commission_bps', field: { commissionPercent: '17.25' }, to: 1725 },
      { key: 'currency', field: { currency: 'eur' }, to: 'EUR' },
      { key: 'price_min_cents', field: { priceMin: '4.99' }, to: 499 },
      { key: 'price_max_cents', field: { priceMax: '250' }, to: 25000 },
      {
        key: 'sports',
        field: { sports: 'Football\ntable-tennis, rowing' },
        to: ['football', 'table-tennis', 'rowing'],
      },
      { key: 'registration', field: { registration: 'invite' }, to: 'invite' },
      { key: 'raw_retention_days', field: { rawRetentionDays: '30' }, to: 30 },
      { key: 'withdrawal_ack_days', field: { withdrawalAckDays: '14' }, to: 14 },
    ] as const)
    .run(async ({ client, assert }, { key, field, to }) => {
      const admin = await makeUser('admin')
      const from = SETTING_DEFAULTS[key]

      const response = await save(client, admin, { ...UNCHANGED, ...field })

      response.assertStatus(302)
      response.assertHeader('location', '/admin/settings')
      response.assertFlashMessage('success', 'Settings saved (1 changed).')
      const entries = await AuditLog.query().where('action', 'setting.changed')
      assert.lengthOf(entries, 1)
      assert.equal(entries[0].actorId, admin.id)
      assert.equal(entries[0].subjectType, 'setting')
      assert.equal(entries[0].subjectId, key)
      assert.deepEqual(entries[0].meta, { key, from, to } as Record<string, unknown>)
      assert.deepEqual(await new SettingsStore().get(key), to as any)

      const page = await client.get('/admin/settings').loginAs(admin)
      page.assertStatus(200)
      if (key === 'instance_name')
        page.assertTextIncludes('<title>Instance settings · Lakeside Athletics</title>')
    })

  test('saving the form unchanged writes and audits nothing', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const response = await save(client, admin, UNCHANGED)
    response.assertFlashMessage('info', 'Nothing changed.')
    assert.lengthOf(await AuditLog.all(), 0)
    assert.lengthOf(await db.from('settings'), 0)
  })

  test('{title} is refused with a message and writes nothing')
    .with([
      {
        title: 'a commission with three decimals',
        field: { commissionPercent: '12.345' },
        error: ['commissionPercent', 'Use at most two decimals, like 12.50.'],
      },
      {
        title: 'a commission over 50%',
        field: { commissionPercent: '60' },
        error: ['commissionPercent', 'The commission can be at most 50%.'],
      },
      {
        title: 'a commission that is not a number',
        field: { commissionPercent: 'twenty' },
        error: [
          'commissionPercent',
          'Enter the commission as a number of percent, like 20 or 17.5.',
        ],
      },
      {
        title: 'a lowest price above the highest',
        field: { priceMin: '80', priceMax: '20' },
        error: ['priceMax', 'The highest price must not be below the lowest price.'],
      },
      {
        title: 'an unknown currency',
        field: { currency: 'XBT' },
        error: [
          'currency',
          'Choose one of USD, EUR, GBP, CHF, CAD, AUD, NZD, SEK, NOK, DKK, PLN, CZK, RON, BGN, BRL, MXN, SGD, HKD, INR, ZAR, AED, ILS, TRY, THB, MYR, PHP.',
        ],
      },
      {
        title: 'a sport that is not a slug',
        field: { sports: 'football, Table Tennis' },
        error: [
          'sports',
          '"table tennis" is not a slug: use lower-case letters, digits and hyphens, like table-tennis.',
        ],
      },
      {
        title: 'a sport listed twice',
        field: { sports: 'football, rugby, football' },
        error: ['sports', '"football" is listed twice.'],
      },
      {
        title: 'an empty sports list',
        field: { sports: ' , ' },
        error: ['sports', 'List at least one sport.'],
      },
      {
        title: 'a negative retention',
        field: { rawRetentionDays: '-1' },
        error: ['rawRetentionDays', 'Enter 0 to keep originals, or a number of days.'],
      },
      {
        title: 'no days to confirm a withdrawal',
        field: { withdrawalAckDays: '0' },
        error: ['withdrawalAckDays', 'Give buyers at least 1 day to confirm.'],
      },
      {
        title: 'an unknown registration mode',
        field: { registration: 'closed' },
        error: ['registration', 'Choose open or invite-only registration.'],
      },
    ] as const)
    .run(async ({ client, assert }, { field, error }) => {
      const admin = await makeUser('admin')
      // A valid change beside the bad one: it must not be saved either.
      const response = await save(client, admin, {
        ...UNCHANGED,
        instanceName: 'Half Saved',
        ...field,
      })
      response.assertStatus(302)
      response.assertHeader('location', '/admin/settings')
      assert.deepEqual(fieldErrors(response, error[0]), [error[1]])
      assert.lengthOf(await AuditLog.all(), 0)
      assert.lengthOf(await db.from('settings'), 0)
    })

  test('a logo whose bytes are not PNG, JPEG or WebP is refused whatever its name, and nothing is stored', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const before = await logoObjects()
    const response = await client
      .put('/admin/settings')
      .fields({ ...UNCHANGED, instanceName: 'Half Saved' })
      .file('logo', SVG_WITH_SCRIPT, { filename: 'logo.png', contentType: 'image/png' })
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/settings')
      .redirects(0)
    response.assertStatus(302)
    assert.deepEqual(fieldErrors(response, 'logo'), ['The logo must be a PNG, JPEG or WebP image.'])

    const big = Buffer.concat([PNG_LOGO, Buffer.alloc(600 * 1024)])
    const tooBig = await client
      .put('/admin/settings')
      .fields(UNCHANGED)
      .file('logo', big, { filename: 'big.png' })
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/admin/settings')
      .redirects(0)
    assert.deepEqual(fieldErrors(tooBig, 'logo'), ['The logo must be at most 512 KB.'])

    assert.lengthOf(await AuditLog.all(), 0)
    assert.lengthOf(await db.from('settings'), 0)
    assert.deepEqual(await logoObjects(), before)
  })

  test('a PNG logo is stored under an id, served with long caching, shown in the navigation, and replaced cleanly', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const upload = await client
      .put('/admin/settings')
      .fields(UNCHANGED)
      .file('logo', PNG_LOGO, { filename: 'club.svg' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    upload.assertFlashMessage('success', 'Settings saved (1 changed).')

    const logo = (await new SettingsStore().get('instance_logo'))!
    assert.deepEqual(logo, { id: logo.id, contentType: 'image/png', bytes: PNG_LOGO.length })
    assert.include(await logoObjects(), `instance/logo/${logo.id}`)
    const [entry] = await AuditLog.query().where('action', 'setting.changed')
    assert.deepEqual(entry.meta, { key: 'instance_logo', from: null, to: logo } as Record<
      string,
      unknown
    >)

    const served = await client.get(`/instance/logo/${logo.id}`)
    served.assertStatus(200)
    served.assertHeader('content-type', 'image/png')
    served.assertHeader('cache-control', 'public, max-age=31536000, immutable')
    const home = await client.get('/')
    assert.include(home.text(), `<img src="/instance/logo/${logo.id}"`)

    await client
      .put('/admin/settings')
      .fields(UNCHANGED)
      .file('logo', PNG_LOGO, { filename: 'again.png' })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    const replacement = (await new SettingsStore().get('instance_logo'))!
    assert.notEqual(replacement.id, logo.id)
    const old = await client.get(`/instance/logo/${logo.id}`)
    old.assertStatus(404)
    assert.notInclude(await logoObjects(), `instance/logo/${logo.id}`)

    await save(client, admin, { ...UNCHANGED, removeLogo: 'true' })
    assert.isNull(await new SettingsStore().get('instance_logo'))
    assert.notInclude(await logoObjects(), `instance/logo/${replacement.id}`)
    assert.lengthOf(await AuditLog.query().where('action', 'setting.changed'), 3)
  })

  test('only admins change settings', async ({ client, assert }) => {
    const creator = await makeUser('creator')
    const refused = await save(client, creator, { ...UNCHANGED, instanceName: 'Mine now' })
    refused.assertStatus(302)
    assert.lengthOf(await db.from('settings'), 0)
    assert.lengthOf(await AuditLog.all(), 0)
  })
})
