import env from '#start/env'

/**
 * Buyers' webhook deliveries. By default they never go to loopback, private or link-local
 * addresses (see app/core/outbound_address.ts); an instance whose buyers' receivers sit on
 * its own network, and the test suite's local receivers, set WEBHOOK_ALLOW_INTERNAL=true.
 */
const webhooksConfig = {
  allowInternal: env.get('WEBHOOK_ALLOW_INTERNAL') ?? false,
}

export default webhooksConfig
