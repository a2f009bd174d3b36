import stripeConfig from '#config/stripe'
import { appUrl } from '#tests/helpers/browser'
import { FakeStripe } from '#tests/helpers/fake_stripe'

type Cleanup = (fn: () => Promise<void> | void) => void

/**
 * Points the whole app at a fake Stripe for one test (functional or browser): the catalog's
 * `paymentsConfigured()` and the StripeService both read `config/stripe.ts`'s object on each
 * use, so the test sets its three values to the fake's and puts the old ones back after.
 * Webhooks go to this test server's `/webhooks/stripe`.
 */
export async function useFakeStripe(cleanup: Cleanup) {
  const fake = await FakeStripe.start({ webhookUrl: appUrl('/webhooks/stripe') })
  const saved = { ...stripeConfig }
  Object.assign(stripeConfig, fake.settings)
  cleanup(async () => {
    Object.assign(stripeConfig, saved)
    await fake.stop()
  })
  return fake
}

/** The app with no Stripe keys at all, whatever the environment says, for one test. */
export function withoutStripe(cleanup: Cleanup) {
  const saved = { ...stripeConfig }
  Object.assign(stripeConfig, {
    secretKey: undefined,
    webhookSecret: undefined,
    connectWebhookSecret: undefined,
    apiBase: undefined,
  })
  cleanup(() => {
    Object.assign(stripeConfig, saved)
  })
}
