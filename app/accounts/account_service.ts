import { createHash, randomBytes } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import User, { type UserRole } from '#models/user'
import { SessionRegistry } from '#app/accounts/session_registry'

export const RESET_TOKEN_TTL_MINUTES = 60

export type LoginResult =
  { ok: true; user: User } | { ok: false; code: 'E_INVALID_CREDENTIALS' | 'E_ACCOUNT_SUSPENDED' }

export type ResetResult = { ok: true; user: User } | { ok: false; code: 'E_RESET_TOKEN_INVALID' }

function hashToken(token: string) {
  return createHash('sha256').update(token).digest('hex')
}

/**
 * Accounts: creation, credential checks, password changes and one-time reset tokens.
 * Controllers and ace commands both go through here.
 */
export class AccountService {
  #sessions = new SessionRegistry()

  async register(data: {
    fullName: string
    email: string
    password: string
    role: UserRole
    companyName?: string | null
  }) {
    return User.create({
      fullName: data.fullName,
      email: data.email,
      password: data.password,
      role: data.role,
      // Only buyers are companies; a stray company name on a creator is dropped.
      companyName: data.role === 'buyer' ? (data.companyName ?? null) : null,
    })
  }

  /** Whether this instance still needs its first administrator. */
  async needsFirstAdmin() {
    const row = await db.from('users').where('role', 'admin').count('* as total').first()
    return Number(row?.total ?? 0) === 0
  }

  /**
   * Creates the first admin, or returns null when one already exists. An advisory lock
   * makes two concurrent submissions of the first-run form create one admin, not two.
   */
  async createFirstAdmin(data: { fullName: string; email: string; password: string }) {
    return db.transaction(async (trx) => {
      await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtext(?))', ['athera:first-admin'])
      const existing = await trx.from('users').where('role', 'admin').first()
      if (existing) return null
      return User.create({ ...data, role: 'admin', companyName: null }, { client: trx })
    })
  }

  async login(email: string, password: string): Promise<LoginResult> {
    let user: User
    try {
      user = await User.verifyCredentials(email, password)
    } catch {
      return { ok: false, code: 'E_INVALID_CREDENTIALS' }
    }
    if (user.isSuspended) return { ok: false, code: 'E_ACCOUNT_SUSPENDED' }
    user.lastLoginAt = DateTime.now()
    await user.save()
    return { ok: true, user }
  }

  /**
   * Changes the password after checking the current one, and signs out every other session
   * (`keepSessionId`: the one making the change stays signed in).
   */
  async changePassword(
    user: User,
    currentPassword: string,
    newPassword: string,
    keepSessionId?: string
  ) {
    const valid = await User.verifyCredentials(user.email, currentPassword)
      .then(() => true)
      .catch(() => false)
    if (!valid) return false
    await this.setPassword(user, newPassword, keepSessionId)
    return true
  }

  /** Issues a one-time reset token (returned in clear once; only its hash is stored). */
  async createResetToken(user: User) {
    const token = randomBytes(32).toString('base64url')
    await db.table('password_reset_tokens').insert({
      user_id: user.id,
      token_hash: hashToken(token),
      expires_at: DateTime.now().plus({ minutes: RESET_TOKEN_TTL_MINUTES }).toJSDate(),
    })
    return token
  }

  async isResetTokenValid(token: string) {
    const row = await this.#findResetToken(token)
    return Boolean(row)
  }

  /** Spends a reset token: sets the password and signs the person out everywhere. */
  async resetPassword(token: string, newPassword: string): Promise<ResetResult> {
    const result = await db.transaction(async (trx) => {
      const row = await trx
        .from('password_reset_tokens')
        .where('token_hash', hashToken(token))
        .whereNull('used_at')
        .where('expires_at', '>', new Date())
        .forUpdate()
        .first()
      if (!row) return { ok: false as const, code: 'E_RESET_TOKEN_INVALID' as const }
      const user = await User.findOrFail(row.user_id, { client: trx })
      user.password = newPassword
      await user.save()
      // This token and every other one the user was sent: a second link must not work either.
      await this.#spendResetTokens(user.id, trx)
      await trx.from('remember_me_tokens').where('tokenable_id', user.id).delete()
      return { ok: true as const, user }
    })
    if (result.ok) await this.#sessions.revokeAll(result.user.id)
    return result
  }

  /**
   * Sets a password (a change, or an operator's `user:reset-password --password`): remember-me
   * tokens, unused reset links and every session but `keepSessionId` end with the old one.
   */
  async setPassword(user: User, password: string, keepSessionId?: string) {
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      user.password = password
      await user.save()
      await trx.from('remember_me_tokens').where('tokenable_id', user.id).delete()
      await this.#spendResetTokens(user.id, trx)
    })
    await this.#sessions.revokeAll(user.id, keepSessionId)
  }

  #spendResetTokens(userId: number, trx: TransactionClientContract) {
    return trx
      .from('password_reset_tokens')
      .where('user_id', userId)
      .whereNull('used_at')
      .update({ used_at: new Date() })
  }

  #findResetToken(token: string) {
    return db
      .from('password_reset_tokens')
      .where('token_hash', hashToken(token))
      .whereNull('used_at')
      .where('expires_at', '>', new Date())
      .first()
  }
}
