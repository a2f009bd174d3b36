/// <reference lib="dom" />
import { test } from '@japa/runner'
import type { Browser, Page } from 'playwright-core'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import User from '#models/user'
import { launchBrowser, screenshot } from '#tests/helpers/browser'
import { startAppServer } from '#tests/helpers/app_server'
import { makeUser, TEST_PASSWORD } from '#tests/helpers/users'

/*
 * Two browsers signed in to one account, against a server that keeps sessions in Redis as
 * compose does (a second process of this checkout: the test process's own server uses the
 * memory store). Rows are committed for that process and removed after.
 */
test.group('Browser: signed-in devices', (group) => {
  let browser: Browser
  let server: Awaited<ReturnType<typeof startAppServer>>
  group.setup(async () => {
    browser = await launchBrowser()
    server = await startAppServer({ SESSION_DRIVER: 'redis' })
    return async () => {
      await server.stop()
      await browser.close()
    }
  })

  async function logIn(page: Page, email: string) {
    await page.goto(`${server.url}/login`)
    await page.getByLabel('E-mail').fill(email)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.waitForURL('**/creator')
  }

  test('a password changed in one browser signs the other out', async ({ assert, cleanup }) => {
    const user = await makeUser('creator')
    // Ids restart with each run's fresh database; Redis keeps an earlier run's index.
    await redis.del(`session_tag:${user.id}`)
    cleanup(async () => {
      await db.from('remember_me_tokens').where('tokenable_id', user.id).delete()
      await User.query().where('id', user.id).delete()
    })
    const home = await browser.newContext()
    const phone = await browser.newContext()
    cleanup(async () => {
      await home.close()
      await phone.close()
    })
    const homePage = await home.newPage()
    const phonePage = await phone.newPage()
    await logIn(homePage, user.email)
    await logIn(phonePage, user.email)

    await homePage.goto(`${server.url}/account/sessions`)
    assert.equal(await homePage.locator('[data-session]').count(), 2)
    await screenshot(homePage, 'account-sessions')

    await homePage.goto(`${server.url}/account/password`)
    await homePage.getByLabel('Current password').fill(TEST_PASSWORD)
    await homePage.getByLabel('New password', { exact: true }).fill('a fresh password 2026')
    await homePage.getByLabel('Repeat new password').fill('a fresh password 2026')
    await homePage.getByRole('button', { name: 'Save password' }).click()
    await homePage.locator('[data-toast="success"]').waitFor()
    assert.include(
      await homePage.locator('[data-toast="success"]').textContent(),
      'Every other device is signed out.'
    )

    // The other browser's next page is the login form; this one stays signed in.
    await phonePage.goto(`${server.url}/creator`)
    await phonePage.waitForURL('**/login')
    await homePage.goto(`${server.url}/creator`)
    assert.match(homePage.url(), /\/creator$/)
    await homePage.goto(`${server.url}/account/sessions`)
    assert.equal(await homePage.locator('[data-session]').count(), 1)
  })
})
