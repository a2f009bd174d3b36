/// <reference lib="dom" />
import { test } from '@japa/runner'
import type { Browser, Page } from 'playwright-core'
import AuditLog from '#models/audit_log'
import User from '#models/user'
import { SettingsStore } from '#app/core/settings_store'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { PNG_LOGO } from '#tests/helpers/images'
import { appUrl, launchBrowser, logIn, screenshot } from '#tests/helpers/browser'

/** A full-page screenshot once the page's fade-in has finished. */
async function settled(page: Page, name: string) {
  await page.evaluate(() =>
    Promise.all(document.getAnimations().map((animation: Animation) => animation.finished))
  )
  return screenshot(page, name)
}

test.group('Browser: admin users, settings and audit log', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await launchBrowser()
    return () => browser.close()
  })
  group.each.setup(isolate)

  test('an admin invites, suspends, brands the instance and reads it all in the audit log', async ({
    assert,
  }) => {
    const admin = await makeUser('admin', { fullName: 'Ada Admin' })
    const creator = await makeUser('creator', { fullName: 'Cory Creator' })
    await new SettingsStore().set('registration', 'invite')
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await logIn(page, admin)

    await page.goto(appUrl('/admin/users'))
    await page.getByLabel('E-mail').fill('newcomer@club.test')
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Create invitation' }).click(),
    ])
    const link = await page.getByLabel('Invitation link').inputValue()
    assert.match(link, /\/invitations\/[A-Za-z0-9_-]{43}$/)

    await Promise.all([
      page.waitForNavigation(),
      page.locator(`[data-user="${creator.id}"]`).getByRole('button', { name: 'Suspend' }).click(),
    ])
    await page.locator('[data-toast="success"]').waitFor()
    assert.include(await page.locator(`[data-user="${creator.id}"]`).textContent(), 'suspended')
    await settled(page, 'admin-users')

    await page.goto(appUrl('/admin/settings'))
    await page.getByLabel('Instance name').fill('Lakeside Athletics')
    await page
      .getByLabel('Logo')
      .setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG_LOGO })
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Save settings' }).click(),
    ])
    await settled(page, 'admin-settings')
    assert.include(await page.locator('[data-toast]').textContent(), 'Settings saved (2 changed).')
    await page.locator('[data-instance-logo]').waitFor()
    assert.include(await page.title(), 'Lakeside Athletics')

    await page.goto(appUrl('/admin/audit'))
    const actions = await page
      .locator('[data-action]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action')))
    assert.deepEqual(actions.slice(0, 4), [
      'setting.changed',
      'setting.changed',
      'user.suspended',
      'invitation.created',
    ])
    await settled(page, 'admin-audit')
    assert.deepEqual(errors, [])

    const visitor = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await visitor.goto(link)
    await visitor.getByLabel('Full name').fill('Nova Newcomer')
    await visitor.getByLabel('Password', { exact: true }).fill('a long enough password')
    await visitor.getByLabel('Repeat password').fill('a long enough password')
    await visitor.getByRole('button', { name: 'Create account' }).click()
    await visitor.waitForURL('**/creator')
    const user = await User.findByOrFail('email', 'newcomer@club.test')
    assert.equal(user.role, 'creator')
    assert.lengthOf(await AuditLog.query().where('action', 'invitation.accepted'), 1)
  })
})
