import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'

function countsBy(rows: { key: string; total: string | number }[]) {
  return Object.fromEntries(rows.map((row) => [row.key, Number(row.total)])) as Record<
    string,
    number
  >
}

/**
 * The figures each role's dashboard opens with. Plain aggregate queries: they stay cheap
 * with indexes on the foreign keys and status columns.
 */
export class DashboardService {
  async creator(user: User) {
    const rows = await db
      .from('clips')
      .where('user_id', user.id)
      .select('status as key')
      .count('* as total')
      .groupBy('status')
    const byStatus = countsBy(rows)
    const total = Object.values(byStatus).reduce((sum, value) => sum + value, 0)
    const consents = await db
      .from('consent_records')
      .where('user_id', user.id)
      .where('kind', 'grant')
      .count('* as total')
      .first()
    return {
      clips: total,
      byStatus,
      awaitingReview: byStatus.processed ?? 0,
      approved: byStatus.approved ?? 0,
      consents: Number(consents?.total ?? 0),
      stripeStatus: user.stripeAccountStatus,
    }
  }

  async buyer(user: User) {
    const licences = await db
      .from('licences')
      .where('buyer_id', user.id)
      .select(db.raw('count(*) filter (where revoked_at is null) as active'))
      .select(db.raw('count(*) as total'))
      .first()
    const tokens = await db
      .from('auth_access_tokens')
      .where('tokenable_id', user.id)
      .where((query) => query.whereNull('expires_at').orWhere('expires_at', '>', new Date()))
      .count('* as total')
      .first()
    const published = await db
      .from('datasets')
      .where('status', 'published')
      .count('* as total')
      .first()
    return {
      activeLicences: Number(licences?.active ?? 0),
      licences: Number(licences?.total ?? 0),
      apiTokens: Number(tokens?.total ?? 0),
      publishedDatasets: Number(published?.total ?? 0),
    }
  }

  async admin() {
    const users = countsBy(
      await db.from('users').select('role as key').count('* as total').groupBy('role')
    )
    const suspended = await db
      .from('users')
      .whereNotNull('suspended_at')
      .count('* as total')
      .first()
    const clips = countsBy(
      await db.from('clips').select('status as key').count('* as total').groupBy('status')
    )
    const recentUsers = await db
      .from('users')
      .select('id', 'full_name', 'email', 'role', 'company_name', 'created_at', 'suspended_at')
      .orderBy('created_at', 'desc')
      .limit(8)
    return {
      users,
      suspended: Number(suspended?.total ?? 0),
      clips,
      awaitingReview: clips.processed ?? 0,
      failed: clips.failed ?? 0,
      recentUsers,
    }
  }
}
