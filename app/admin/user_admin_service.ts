import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import User, { type UserRole } from '#models/user'
import { AuditTrail } from '#app/core/audit_trail'
import { SessionRegistry } from '#app/accounts/public'

export const USERS_PER_PAGE = 25

export interface UserFilters {
  q?: string
  role?: UserRole
  status?: 'active' | 'suspended'
  page?: number
}

export type UserActionResult =
  | { ok: true; user: User; changed: boolean }
  | { ok: false; code: 'E_NOT_ADMIN' }
  | { ok: false; code: 'E_NOT_FOUND' }
  | { ok: false; code: 'E_LAST_ADMIN'; action: UserAction }
  | { ok: false; code: 'E_SELF'; action: UserAction }

/** What an admin does to an account: the refusals of the last admin and of oneself name it. */
export type UserAction = 'role' | 'suspend'

/** Serializes every change to admins' roles and suspensions (the last-admin check needs it). */
const ADMINS_LOCK = 'athera:admin-roles'

/**
 * An admin's work on accounts: the filtered list, role changes, suspension and reactivation.
 * Every change is audited in its own transaction. An admin never demotes or suspends
 * themselves, and the instance always keeps one active admin.
 */
export class UserAdminService {
  #audit = new AuditTrail()
  #sessions = new SessionRegistry()

  list(filters: UserFilters) {
    const query = User.query().orderBy('created_at', 'desc').orderBy('id', 'desc')
    if (filters.q) {
      const term = `%${filters.q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
      query.where((where) =>
        where
          .whereILike('email', term)
          .orWhereILike('full_name', term)
          .orWhereILike('company_name', term)
      )
    }
    if (filters.role) query.where('role', filters.role)
    if (filters.status === 'active') query.whereNull('suspended_at')
    if (filters.status === 'suspended') query.whereNotNull('suspended_at')
    return query.paginate(filters.page ?? 1, USERS_PER_PAGE)
  }

  changeRole(admin: User, userId: number, role: UserRole, ip: string | null) {
    return this.#change(admin, userId, async (user, trx) => {
      if (user.role === role) return { ok: true, user, changed: false }
      if (user.role === 'admin' && !user.isSuspended && (await this.#activeAdmins(trx)) <= 1) {
        return { ok: false, code: 'E_LAST_ADMIN', action: 'role' }
      }
      if (user.id === admin.id) return { ok: false, code: 'E_SELF', action: 'role' }
      if (role === 'buyer' && !user.companyName) {
        // A buyer is a company (users_buyer_company); the person's name stands in until they edit it.
        user.companyName = user.fullName
      }
      const from = user.role
      user.role = role
      await user.save()
      await this.#audit.record(
        {
          actorId: admin.id,
          action: 'user.role_changed',
          subject: { type: 'user', id: user.id },
          meta: { email: user.email, from, to: role },
          ip,
        },
        trx
      )
      return { ok: true, user, changed: true }
    })
  }

  /**
   * Suspends an account: its sessions end on their next request (silent auth), and its API
   * tokens are deleted so that no token outlives the suspension; reactivation does not bring
   * them back.
   */
  async suspend(admin: User, userId: number, ip: string | null) {
    const result = await this.#change(admin, userId, async (user, trx) => {
      if (user.isSuspended) return { ok: true, user, changed: false }
      if (user.role === 'admin' && (await this.#activeAdmins(trx)) <= 1) {
        return { ok: false, code: 'E_LAST_ADMIN', action: 'suspend' }
      }
      if (user.id === admin.id) return { ok: false, code: 'E_SELF', action: 'suspend' }
      user.suspendedAt = DateTime.now()
      await user.save()
      const tokens = await trx.from('auth_access_tokens').where('tokenable_id', user.id).delete()
      await trx.from('remember_me_tokens').where('tokenable_id', user.id).delete()
      await this.#audit.record(
        {
          actorId: admin.id,
          action: 'user.suspended',
          subject: { type: 'user', id: user.id },
          meta: { email: user.email, role: user.role, apiTokensRevoked: Number(tokens) },
          ip,
        },
        trx
      )
      return { ok: true, user, changed: true }
    })
    // After the commit: a suspended account's sessions end now, not on their next request.
    if (result.ok && result.changed) await this.#sessions.revokeAll(result.user.id)
    return result
  }

  reactivate(admin: User, userId: number, ip: string | null) {
    return this.#change(admin, userId, async (user, trx) => {
      if (!user.isSuspended) return { ok: true, user, changed: false }
      const suspendedAt = user.suspendedAt!.toISO()
      user.suspendedAt = null
      await user.save()
      await this.#audit.record(
        {
          actorId: admin.id,
          action: 'user.reactivated',
          subject: { type: 'user', id: user.id },
          meta: { email: user.email, role: user.role, suspendedAt },
          ip,
        },
        trx
      )
      return { ok: true, user, changed: true }
    })
  }

  /**
   * Runs one change under the admins' lock, after re-reading the acting admin (demoted or
   * suspended by someone else a moment ago, they may no longer act) and the target.
   */
  #change(
    admin: User,
    userId: number,
    action: (user: User, trx: TransactionClientContract) => Promise<UserActionResult>
  ): Promise<UserActionResult> {
    return db.transaction(async (trx) => {
      await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtext(?))', [ADMINS_LOCK])
      const actor = await User.find(admin.id, { client: trx })
      if (!actor || actor.role !== 'admin' || actor.isSuspended) {
        return { ok: false, code: 'E_NOT_ADMIN' }
      }
      // The route matches any digits; an id past PostgreSQL's integer is simply not found.
      if (!isRowId(userId)) return { ok: false, code: 'E_NOT_FOUND' }
      const user = await User.query({ client: trx }).where('id', userId).forUpdate().first()
      if (!user) return { ok: false, code: 'E_NOT_FOUND' }
      return action(user, trx)
    })
  }

  async #activeAdmins(trx: TransactionClientContract) {
    const row = await trx
      .from('users')
      .where('role', 'admin')
      .whereNull('suspended_at')
      .count('* as total')
      .first()
    return Number(row?.total ?? 0)
  }
}

/** A value that fits a serial primary key. */
export function isRowId(value: number) {
  return Number.isSafeInteger(value) && value > 0 && value <= 2_147_483_647
}
