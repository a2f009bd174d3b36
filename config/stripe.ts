import env from '#start/env'

/**
 * Stripe settings. `apiBase` (scheme://host:port) sends the stripe client to another server
 * that speaks Stripe's wire format: the fake Stripe of the tests and the local demo.
 * Production leaves it unset and talks to api.stripe.com unchanged.
 */
const stripeConfig = {
  secretKey: env.get('STRIPE_SECRET_KEY')?.release(),
  webhookSecret: env.get('STRIPE_WEBHOOK_SECRET')?.release(),
  /**
   * Stripe sends events of connected accounts (account.updated, payout.*) only to a Connect
   * endpoint, which has a signing secret of its own; both endpoints may share our URL.
   */
  connectWebhookSecret: env.get('STRIPE_CONNECT_WEBHOOK_SECRET')?.release(),
  apiBase: env.get('STRIPE_API_BASE'),
}

export default stripeConfig

/** Whether paid checkouts can run on this instance (a secret key and a webhook secret are set). */
export function paymentsConfigured(
  config: Pick<typeof stripeConfig, 'secretKey' | 'webhookSecret'> = stripeConfig
) {
  return Boolean(config.secretKey && config.webhookSecret)
}
