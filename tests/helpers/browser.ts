/// <reference lib="dom" />
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import env from '#start/env'
import { TEST_PASSWORD } from '#tests/helpers/users'

/** Where browser tests leave their screenshots (ignored by git, kept by CI as artifacts). */
export const SCREENSHOT_DIR = join(process.cwd(), 'tmp', 'screenshots')

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Debian's Chromium, headless, with no network of its own beyond this machine. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}

export function appUrl(path: string) {
  return new URL(path, `http://${env.get('HOST')}:${env.get('PORT')}`).toString()
}

/** Logs `user` in through the login form and waits for their dashboard (`/<role>`). */
export async function logIn(
  page: Page,
  user: { email: string; role: string },
  password = TEST_PASSWORD
) {
  await page.goto(appUrl('/login'))
  await page.getByLabel('E-mail').fill(user.email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.waitForURL(`**/${user.role}`)
}

export async function screenshot(page: Page, name: string) {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  const buffer = await page.screenshot({ path, fullPage: true })
  return { path, buffer }
}

/**
 * Share of a screenshot's pixels close to each given colour, measured by decoding the PNG
 * in the browser itself (no image library needed).
 */
export async function colourShares(
  browser: Browser,
  png: Buffer,
  colours: Record<string, [number, number, number]>
) {
  const probe = await browser.newPage()
  try {
    return await probe.evaluate(
      async ({ dataUrl, targets }) => {
        const image = new Image()
        image.src = dataUrl
        await image.decode()
        const canvas = document.createElement('canvas')
        canvas.width = image.width
        canvas.height = image.height
        const context = canvas.getContext('2d')!
        context.drawImage(image, 0, 0)
        const { data } = context.getImageData(0, 0, image.width, image.height)
        const counts: Record<string, number> = Object.fromEntries(
          Object.keys(targets).map((key) => [key, 0])
        )
        const pixels = data.length / 4
        for (let offset = 0; offset < data.length; offset += 4) {
          for (const [key, [r, g, b]] of Object.entries(targets)) {
            if (
              Math.abs(data[offset] - r) <= 12 &&
              Math.abs(data[offset + 1] - g) <= 12 &&
              Math.abs(data[offset + 2] - b) <= 12
            ) {
              counts[key]++
            }
          }
        }
        return Object.fromEntries(
          Object.entries(counts).map(([key, count]) => [key, count / pixels])
        )
      },
      { dataUrl: `data:image/png;base64,${png.toString('base64')}`, targets: colours }
    )
  } finally {
    await probe.close()
  }
}

/** Mint (#00FF7F) pixels on the overlay canvas, read in the page
 * (`page.evaluate(mintPixels)`): how much of the pose skeleton is drawn. */
export function mintPixels() {
  const canvas = document.querySelector<HTMLCanvasElement>('[data-skeleton-canvas]')!
  const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height)
  let count = 0
  for (let i = 0; i < data.length; i += 4) {
    if (
      data[i] < 40 &&
      data[i + 1] > 215 &&
      data[i + 2] > 90 &&
      data[i + 2] < 170 &&
      data[i + 3] > 200
    )
      count++
  }
  return count
}
