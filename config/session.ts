import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'

const sessionConfig = defineConfig({
  enabled: true,
  cookieName: 'athera-session',
  clearWithBrowser: false,
  age: '2h',
  cookie: {
    path: '/',
    httpOnly: true,
    secure: app.inProduction && env.get('APP_URL').startsWith('https://'),
    sameSite: 'lax',
  },
  store: env.get('SESSION_DRIVER'),
  // Sessions live server-side so they can be listed and revoked (app/accounts/session_registry.ts);
  // the memory store (always present) serves the tests' API client.
  stores: {
    redis: stores.redis({ connection: 'main' }),
  },
})

export default sessionConfig
