import { createHash } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import { SessionCollection } from '@adonisjs/session'
import type User from '#models/user'

/** What the account page shows of one signed-in session. */
export interface SessionEntry {
  /** A public handle: the SHA-256 of the session id, cut short. The id itself never leaves the store. */
  handle: string
  current: boolean
  createdAt: string | null
  lastSeenAt: string | null
  ip: string | null
  userAgent: string | null
}

interface SessionMeta {
  createdAt: string
  lastSeenAt: string
  ip: string | null
  userAgent: string | null
}

const META_KEY = 'athera_session'
/** A session's "last seen" is rewritten at most this often, not on every request. */
const TOUCH_EVERY_MS = 60_000

function handleOf(sessionId: string) {
  return createHash('sha256').update(sessionId).digest('hex').slice(0, 24)
}

/**
 * The signed-in sessions of each person, kept server-side (Redis in compose) and indexed
 * by user through the session store's tags (a Redis set of session ids per user), so they can
 * be listed and revoked: on a password change or reset, on suspension, or from the account page.
 */
export class SessionRegistry {
  async #collection() {
    return app.container.make(SessionCollection)
  }

  /** Called right after a login: tags the (regenerated) session with the user and notes the device. */
  async started(ctx: HttpContext, user: User) {
    const now = new Date().toISOString()
    const meta: SessionMeta = {
      createdAt: now,
      lastSeenAt: now,
      ip: ctx.request.ip() ?? null,
      userAgent: ctx.request.header('user-agent')?.slice(0, 300) ?? null,
    }
    ctx.session.put(META_KEY, meta)
    await ctx.session.tag(String(user.id))
  }

  /** Called on each request of a signed-in person: indexes an unindexed session, refreshes "last seen" now and then. */
  async seen(ctx: HttpContext, user: User) {
    const meta = ctx.session.get(META_KEY) as SessionMeta | undefined
    if (!meta) return this.started(ctx, user)
    if (Date.now() - Date.parse(meta.lastSeenAt) < TOUCH_EVERY_MS) return
    ctx.session.put(META_KEY, {
      ...meta,
      lastSeenAt: new Date().toISOString(),
      ip: ctx.request.ip() ?? meta.ip,
    })
  }

  /** Called on logout: the session leaves the user's index. */
  async ended(ctx: HttpContext, user: User) {
    await ctx.session.untag(String(user.id))
  }

  /** The user's signed-in sessions, the current one first, then the most recently seen. */
  async list(user: User, currentSessionId?: string): Promise<SessionEntry[]> {
    const sessions = await this.#signedIn(user)
    return sessions
      .map(({ id, data }) => {
        const meta = data[META_KEY] as SessionMeta | undefined
        return {
          handle: handleOf(id),
          current: id === currentSessionId,
          createdAt: meta?.createdAt ?? null,
          lastSeenAt: meta?.lastSeenAt ?? null,
          ip: meta?.ip ?? null,
          userAgent: meta?.userAgent ?? null,
        }
      })
      .sort(
        (a, b) =>
          Number(b.current) - Number(a.current) ||
          String(b.lastSeenAt).localeCompare(String(a.lastSeenAt))
      )
  }

  /** Signs out one of the user's sessions by its handle; false when it is not theirs (or gone). */
  async revoke(user: User, handle: string) {
    const sessions = await this.#signedIn(user)
    const session = sessions.find(({ id }) => handleOf(id) === handle)
    if (!session) return false
    const collection = await this.#collection()
    await collection.destroy(session.id)
    return true
  }

  /** Signs out every session of the user, except `keepSessionId` (the one asking). Returns how many. */
  async revokeAll(userId: number, keepSessionId?: string) {
    const collection = await this.#collection()
    const sessions = await collection.tagged(String(userId))
    let count = 0
    for (const { id } of sessions) {
      if (id === keepSessionId) continue
      await collection.destroy(id)
      count++
    }
    return count
  }

  /** Tagged sessions still signed in as this user (a session that logged out keeps no auth key). */
  async #signedIn(user: User) {
    const collection = await this.#collection()
    const sessions = await collection.tagged(String(user.id))
    return sessions.filter(({ data }) => String(data.auth_web) === String(user.id))
  }
}
