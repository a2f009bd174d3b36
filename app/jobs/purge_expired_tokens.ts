import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import type { JobContext, JobHandler } from '#jobs/registry'

/**
 * Deletes password-reset, remember-me and API tokens that can no longer be used.
 * Idempotent: running it twice deletes nothing the second time.
 */
export default class PurgeExpiredTokens implements JobHandler<'purge-expired-tokens'> {
  async handle(_payload: Record<string, never>, context: JobContext) {
    const now = new Date()
    const resets = await db
      .from('password_reset_tokens')
      .where((query) => query.where('expires_at', '<', now).orWhereNotNull('used_at'))
      .delete()
    const remember = await db.from('remember_me_tokens').where('expires_at', '<', now).delete()
    const access = await db.from('auth_access_tokens').where('expires_at', '<', now).delete()
    logger.info({ jobId: context.jobId, resets, remember, access }, 'purged expired tokens')
  }
}
