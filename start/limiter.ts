/*
 * Rate limits for the endpoints an attacker would hammer. Keys combine the client IP with
 * the submitted e-mail so one noisy address cannot lock everybody else out.
 */
import limiter from '@adonisjs/limiter/services/main'

export const loginThrottle = limiter.define('login', (ctx) => {
  const email = String(ctx.request.input('email', '')).toLowerCase()
  return limiter
    .allowRequests(5)
    .every('1 minute')
    .usingKey(`login_${ctx.request.ip()}_${email}`)
    .limitExceeded((error) => {
      error.setMessage('Too many login attempts. Wait a minute and try again.')
    })
})

export const signupThrottle = limiter.define('signup', (ctx) => {
  return limiter
    .allowRequests(5)
    .every('10 minutes')
    .usingKey(`signup_${ctx.request.ip()}`)
    .limitExceeded((error) => {
      error.setMessage('Too many accounts created from this address. Try again later.')
    })
})

export const passwordResetThrottle = limiter.define('password_reset', (ctx) => {
  return limiter.allowRequests(5).every('15 minutes').usingKey(`password_reset_${ctx.request.ip()}`)
})

/** New uploads per creator: generous for a batch, a wall for a script gone wrong. */
export const uploadThrottle = limiter.define('upload', (ctx) => {
  return limiter
    .allowRequests(120)
    .every('1 hour')
    .usingKey(`upload_${ctx.auth.user?.id ?? ctx.request.ip()}`)
    .limitExceeded((error) => {
      error.setMessage('Too many uploads started in the last hour. Wait a while and try again.')
    })
})

/**
 * REST API v1 requests per token: a sync job paging the catalog fits, a runaway loop is
 * stopped. Keyed by token, not user, so one integration cannot starve another of the same
 * buyer. Consumed by the API's own middleware (not a route throttle) so that a 429 answers in
 * the API's JSON error shape.
 */
export const API_RATE_LIMIT = { requests: 120, duration: '1 minute' } as const

export function apiLimiter() {
  return limiter.use(API_RATE_LIMIT)
}
