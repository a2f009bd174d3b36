import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import redis from '@adonisjs/redis/services/main'
import logger from '@adonisjs/core/services/logger'
import env from '#start/env'

const KEY = 'athera:setup-token'

function digest(token: string) {
  return createHash('sha256').update(token).digest()
}

/**
 * The one-time token the first-run page asks for: printed in the server log at boot while the
 * instance has no administrator, so that only someone who can read the log (the operator who
 * ran `docker compose up`) can create the first admin, not whoever reaches the page first.
 * Only its SHA-256 is stored (Redis, so every web process of the instance accepts it); each
 * boot issues a new one, and creating the admin spends it.
 */
export class SetupTokenService {
  async issue() {
    const token = randomBytes(18).toString('base64url')
    await redis.set(KEY, digest(token).toString('hex'))
    return token
  }

  /** Issues a token and prints where to use it; the line contains "setup" for `grep setup`. */
  async announce() {
    const token = await this.issue()
    const line = `setup: this instance has no administrator yet. Open ${new URL('/setup', env.get('APP_URL'))} and enter the setup token ${token}`
    // warn, not info: an operator who quiets the log to warnings still needs this line.
    logger.warn(line)
    return line
  }

  async verify(token: string) {
    const stored = await redis.get(KEY)
    if (!stored || !token) return false
    return timingSafeEqual(Buffer.from(stored, 'hex'), digest(token))
  }

  async spend() {
    await redis.del(KEY)
  }
}
