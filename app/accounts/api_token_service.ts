import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { AccessToken } from '@adonisjs/auth/access_tokens'
import User from '#models/user'

/**
 * What a token may do. Each REST API v1 endpoint needs one of these; a token holds them as
 * its abilities (never `*`, so a scope added later is not granted to old tokens silently).
 */
export const API_SCOPES = {
  'catalog:read': 'Search the catalog, read datasets and their versions',
  'licences:read': 'List your licences',
  'downloads:read': 'Get a licensed version’s manifest of signed download links',
  // A write apart from licences:read: confirming that files are deleted is a statement made
  // for the licensee, which a token meant only to read should not be able to make.
  'withdrawals:ack': 'Confirm that the files of a withdrawn clip are deleted',
} as const
export type ApiScope = keyof typeof API_SCOPES
export const API_SCOPE_NAMES = Object.keys(API_SCOPES) as ApiScope[]

/** Lifetimes offered at creation, in days; `never` is a token without expiry. */
export const TOKEN_EXPIRIES = ['30', '90', '365', 'never'] as const
export type TokenExpiry = (typeof TOKEN_EXPIRIES)[number]
export const TOKEN_EXPIRY_LABELS: Record<TokenExpiry, string> = {
  '30': '30 days',
  '90': '90 days',
  '365': '1 year',
  'never': 'No expiry',
}

/** As User.accessTokens is configured: the prefix secret scanners recognise, and the row type. */
const TOKEN_PREFIX = 'ath_'
const TOKEN_TYPE = 'api_token'
const BEARER = /^Bearer (ath_([A-Za-z0-9_-]{1,16})\.[A-Za-z0-9_-]{1,200})$/i

/** A bound on live tokens per buyer: enough for every integration, a wall for a script in a loop. */
export const MAX_LIVE_TOKENS = 25

export interface TokenRow {
  id: number
  name: string
  scopes: string[]
  createdAt: DateTime
  lastUsedAt: DateTime | null
  expiresAt: DateTime | null
  expired: boolean
}

export type CreateTokenResult =
  | { ok: true; token: TokenRow; secret: string }
  | { ok: false; code: 'E_TOO_MANY_TOKENS'; max: number }

function toDateTime(value: Date | null | undefined) {
  return value ? DateTime.fromJSDate(value) : null
}

function toRow(token: AccessToken): TokenRow {
  return {
    id: Number(token.identifier),
    name: token.name ?? '',
    scopes: token.abilities,
    createdAt: DateTime.fromJSDate(token.createdAt),
    lastUsedAt: toDateTime(token.lastUsedAt),
    expiresAt: toDateTime(token.expiresAt),
    expired: token.isExpired(),
  }
}

/**
 * A buyer's API tokens, stored by the auth package's DbAccessTokensProvider (`User.accessTokens`,
 * table auth_access_tokens: only the secret's SHA-256 is kept). Every query is scoped to the
 * owner: a token id of someone else reads as absent. Revoking deletes the row, so the next
 * request with it gets a 401 like any unknown token.
 */
export class ApiTokenService {
  /** The owner's tokens, most recently used first; expired ones stay listed until the hourly purge. */
  async list(user: User): Promise<TokenRow[]> {
    const users = await User.accessTokens.all(user)
    return users.map(toRow)
  }

  /** Creates a token; its secret is returned here once and never stored. */
  async create(
    user: User,
    input: { name: string; scopes: ApiScope[]; expiry: TokenExpiry }
  ): Promise<CreateTokenResult> {
    return db.transaction(async (trx) => {
      // One buyer's concurrent creations serialize on this lock (held until commit; the provider
      // inserts on its own connection right after), so the bound holds under a double submit.
      await trx.rawQuery('SELECT pg_advisory_xact_lock(?, ?)', [0x61706974, user.id])
      const live = await this.#liveCount(user, trx)
      if (live >= MAX_LIVE_TOKENS) {
        return { ok: false as const, code: 'E_TOO_MANY_TOKENS' as const, max: MAX_LIVE_TOKENS }
      }
      const scopes = API_SCOPE_NAMES.filter((scope) => input.scopes.includes(scope))
      const token = await User.accessTokens.create(user, scopes, {
        name: input.name,
        expiresIn: input.expiry === 'never' ? undefined : `${input.expiry} days`,
      })
      return { ok: true as const, token: toRow(token), secret: token.value!.release() }
    })
  }

  /** Deletes the owner's token; false when it is not theirs or already gone. */
  async revoke(user: User, id: number) {
    // The route admits any digits; ids beyond PostgreSQL's integer would fail the query.
    if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) return false
    return Number(await User.accessTokens.delete(user, id)) > 0
  }

  /**
   * The token in an Authorization header when it is shaped like one of ours (its id part a
   * positive 32-bit integer), else null.
   */
  bearerValue(header: string) {
    const match = BEARER.exec(header)
    if (!match) return null
    const id = Buffer.from(match[2], 'base64url').toString('utf8')
    if (!/^[1-9]\d{0,9}$/.test(id) || Number(id) > 2_147_483_647) return null
    return match[1]
  }

  /**
   * Checks a presented token against its row without touching it: `valid`, `expired` (with
   * when), or `invalid` (unknown, revoked or a wrong secret). The auth guard stamps
   * last_used_at on the row a token's id names before it compares the secret; ids are
   * sequential, so the API asks this first and lets only genuine tokens reach the guard.
   */
  async inspect(
    value: string
  ): Promise<{ state: 'valid' } | { state: 'expired'; at: DateTime } | { state: 'invalid' }> {
    const decoded = AccessToken.decode(TOKEN_PREFIX, value)
    if (!decoded || !/^\d{1,10}$/.test(decoded.identifier)) return { state: 'invalid' }
    const row = await db
      .from('auth_access_tokens')
      .where({ id: Number(decoded.identifier), type: TOKEN_TYPE })
      .first()
    if (!row) return { state: 'invalid' }
    const token = new AccessToken({
      identifier: row.id,
      tokenableId: row.tokenable_id,
      type: row.type,
      hash: row.hash,
      name: row.name,
      abilities: JSON.parse(row.abilities),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      lastUsedAt: row.last_used_at,
      expiresAt: row.expires_at,
    })
    if (!token.verify(decoded.secret)) return { state: 'invalid' }
    if (token.isExpired())
      return { state: 'expired', at: DateTime.fromJSDate(row.expires_at).toUTC() }
    return { state: 'valid' }
  }

  /** For the dashboard: live tokens and the latest use of any of them. */
  async summary(user: User) {
    const tokens = await this.list(user)
    const live = tokens.filter((token) => !token.expired)
    const lastUsed = live
      .map((token) => token.lastUsedAt)
      .filter((value): value is DateTime => value !== null)
    return {
      live: live.length,
      lastUsedAt: lastUsed.length ? DateTime.max(...lastUsed) : null,
      recent: live.slice(0, 5),
    }
  }

  async #liveCount(user: User, client: TransactionClientContract) {
    const [row] = await client
      .from('auth_access_tokens')
      .where('tokenable_id', user.id)
      .where((query) => query.whereNull('expires_at').orWhere('expires_at', '>', new Date()))
      .count('* as total')
    return Number(row.total)
  }
}
