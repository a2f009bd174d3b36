import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/core/http'

/**
 * HTTP server settings. Cookies are `secure` in production, where the appliance is
 * expected to sit behind TLS (see README, "Behind a reverse proxy").
 */
export const http = defineConfig({
  generateRequestId: true,
  allowMethodSpoofing: true,
  useAsyncLocalStorage: false,
  // Only these peers' X-Forwarded-For is believed (TRUSTED_PROXIES, loopback by default):
  // anyone else could pick the IP that rate limits, consent records and the audit log use.
  trustProxy: env.get('TRUSTED_PROXIES'),
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction && env.get('APP_URL').startsWith('https://'),
    sameSite: 'lax',
  },
})
