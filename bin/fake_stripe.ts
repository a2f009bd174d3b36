/*
 * The fake Stripe for a local demo: `node --import @poppinss/ts-exec bin/fake_stripe.ts`.
 * It prints the four settings to put in .env; the app then checks out through the fake's
 * hosted page, which delivers signed webhooks to APP_URL/webhooks/stripe.
 *
 *   FAKE_STRIPE_PORT (default 12111), APP_URL (default http://localhost:3333),
 *   STRIPE_SECRET_KEY / STRIPE_WEBHOOK_SECRET / STRIPE_CONNECT_WEBHOOK_SECRET (defaults: fixed demo values, so .env stays valid
 *   across restarts).
 *
 * Test API while it runs: POST /_test/refund/<charge id>, /_test/resend/<event id>,
 * /_test/ready/<account id> (marks a creator's connected account ready).
 */
import { FakeStripe } from '../tests/helpers/fake_stripe.js'

const appUrl = (process.env.APP_URL ?? 'http://localhost:3333').replace(/\/$/, '')
const fake = await FakeStripe.start({
  port: Number(process.env.FAKE_STRIPE_PORT ?? 12111),
  secretKey: process.env.STRIPE_SECRET_KEY ?? 'sk_test_athera_demo',
  webhookSecret: process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_athera_demo',
  connectWebhookSecret: process.env.STRIPE_CONNECT_WEBHOOK_SECRET ?? 'whsec_athera_demo_connect',
  webhookUrl: `${appUrl}/webhooks/stripe`,
})

console.log(`Fake Stripe on ${fake.url}, delivering webhooks to ${fake.webhookUrl}`)
console.log('Put these in .env and restart the app:')
console.log(`  STRIPE_API_BASE=${fake.url}`)
console.log(`  STRIPE_SECRET_KEY=${fake.secretKey}`)
console.log(`  STRIPE_WEBHOOK_SECRET=${fake.webhookSecret}`)
console.log(`  STRIPE_CONNECT_WEBHOOK_SECRET=${fake.connectWebhookSecret}`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await fake.stop()
    process.exit(0)
  })
}
