/// <reference lib="dom" />
import { test } from '@japa/runner'
import type { Browser } from 'playwright-core'
import User from '#models/user'
import { isolate } from '#tests/helpers/reset'
import { appUrl, colourShares, launchBrowser, screenshot } from '#tests/helpers/browser'

test.group('Browser: sign-up', (group) => {
  let browser: Browser
  group.setup(async () => {
    browser = await launchBrowser()
    return () => browser.close()
  })
  group.each.setup(isolate)

  test('a visitor signs up as a creator and lands on the dark, mint-accented dashboard', async ({
    assert,
  }) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))

    await page.goto(appUrl('/'))
    await page.getByRole('link', { name: 'Upload as an athlete or coach' }).click()
    await page.waitForURL('**/signup?role=creator')

    // Alpine hides the company field for creators and shows it for buyers.
    const companyField = page.locator('[data-company-field]')
    await companyField.waitFor({ state: 'hidden' })
    await page.getByLabel('A buyer').check()
    await companyField.waitFor({ state: 'visible', timeout: 5000 })
    await page.getByLabel('A creator').check()
    await companyField.waitFor({ state: 'hidden', timeout: 5000 })

    await page.getByLabel('Full name').fill('Mia Sprinter')
    await page.getByLabel('E-mail').fill('mia@club.test')
    await page.getByLabel('Password', { exact: true }).fill('sprint fast every day')
    await page.getByLabel('Repeat password').fill('sprint fast every day')
    await page.getByRole('button', { name: 'Create account' }).click()

    await page.waitForURL('**/creator')
    assert.equal(await page.getByTestId('dashboard-title').textContent(), 'Your clips and earnings')
    assert.include(
      await page.locator('[data-toast="success"]').textContent(),
      'Welcome to Athera, Mia Sprinter.'
    )
    const user = await User.findByOrFail('email', 'mia@club.test')
    assert.equal(user.role, 'creator')

    const styles = await page.evaluate(() => ({
      background: getComputedStyle(document.body).backgroundColor,
      text: getComputedStyle(document.body).color,
      accent: getComputedStyle(document.querySelector('[data-role]')!).color,
    }))
    assert.equal(styles.background, 'rgb(13, 13, 13)')
    assert.equal(styles.text, 'rgb(234, 234, 234)')
    assert.equal(styles.accent, 'rgb(0, 255, 127)')

    // The screenshot itself: mostly near-black, with mint present.
    await page.locator('[data-toast="success"]').waitFor()
    await page.evaluate(() =>
      Promise.all(document.getAnimations().map((animation: Animation) => animation.finished))
    )
    const { buffer } = await screenshot(page, 'signup-dashboard')
    const shares = await colourShares(browser, buffer, { dark: [13, 13, 13], mint: [0, 255, 127] })
    assert.isAbove(shares.dark, 0.3, `dark share ${shares.dark}`)
    assert.isAbove(shares.mint, 0.0001, `mint share ${shares.mint}`)
    assert.deepEqual(errors, [])

    // htmx requests carry the CSRF token: a POST /logout through htmx is accepted by Shield.
    await page.evaluate(() =>
      (window as any).htmx.ajax('POST', '/logout', { target: '#main', swap: 'innerHTML' })
    )
    await page.waitForFunction(() =>
      document.body.textContent?.includes('sports video that athletes')
    )
    await page.goto(appUrl('/creator'))
    await page.waitForURL('**/login')
    await page.close()
  })

  test('a sign-up with errors shows them next to the fields and keeps the typed values', async ({
    assert,
  }) => {
    const page = await browser.newPage()
    await page.goto(appUrl('/signup'))
    await page.getByLabel('A buyer').check()
    await page.getByLabel('Full name').fill('Vision Buyer')
    await page.getByLabel('E-mail').fill('not-an-email')
    await page.getByLabel('Password', { exact: true }).fill('short')
    await page.getByLabel('Repeat password').fill('short')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL('**/signup*')

    assert.include(
      await page.locator('[data-error-for="email"]').textContent(),
      'Enter a valid e-mail address'
    )
    assert.include(
      await page.locator('[data-error-for="password"]').textContent(),
      'Use at least 10 characters.'
    )
    assert.include(
      await page.locator('[data-error-for="companyName"]').textContent(),
      'Buyers sign up as a company'
    )
    assert.equal(await page.getByLabel('Full name').inputValue(), 'Vision Buyer')
    assert.isTrue(await page.getByLabel('A buyer').isChecked())
    assert.isNull(await User.findBy('email', 'not-an-email'))
    await screenshot(page, 'signup-errors')
    await page.close()
  })
})
