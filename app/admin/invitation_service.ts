import { createHash, randomBytes } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import mail from '@adonisjs/mail/services/main'
import env from '#start/env'
import config from '#config/athera'
import Invitation, { type InvitationRole } from '#models/invitation'
import User from '#models/user'
import { AuditTrail } from '#app/core/audit_trail'
import { isRowId } from '#app/admin/user_admin_service'

export const INVITATION_TTL_DAYS = 7

export type CreateInvitationResult =
  | { ok: true; invitation: Invitation; link: string; mailed: boolean }
  | { ok: false; code: 'E_ACCOUNT_EXISTS'; email: string }

export type RevokeInvitationResult =
  | { ok: true; invitation: Invitation }
  | { ok: false; code: 'E_NOT_FOUND' }
  | { ok: false; code: 'E_NOT_PENDING'; state: Invitation['state'] }

export type AcceptInvitationResult =
  | { ok: true; user: User }
  | { ok: false; code: 'E_INVITATION_INVALID' }
  | { ok: false; code: 'E_ACCOUNT_EXISTS'; email: string }

function hashToken(token: string) {
  return createHash('sha256').update(token).digest('hex')
}

/**
 * Invitations to an invite-only instance: an admin invites an address with a role; the link
 * (shown once, and e-mailed when mail is configured) creates one account, once, within
 * INVITATION_TTL_DAYS. Only the token's hash is stored, as for password resets.
 */
export class InvitationService {
  #audit = new AuditTrail()

  get mailEnabled() {
    return config.mail.enabled
  }

  linkFor(token: string) {
    return new URL(`/invitations/${token}`, env.get('APP_URL')).toString()
  }

  /** Newest first: the pending ones and the recent history. */
  recent(limit = 50) {
    return Invitation.query()
      .preload('creator')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
  }

  async create(
    admin: User,
    input: { email: string; role: InvitationRole },
    ip: string | null
  ): Promise<CreateInvitationResult> {
    if (await User.findBy('email', input.email)) {
      return { ok: false, code: 'E_ACCOUNT_EXISTS', email: input.email }
    }
    const token = randomBytes(32).toString('base64url')
    const invitation = await db.transaction(async (trx) => {
      const created = await Invitation.create(
        {
          email: input.email,
          role: input.role,
          tokenHash: hashToken(token),
          createdBy: admin.id,
          expiresAt: DateTime.now().plus({ days: INVITATION_TTL_DAYS }),
        },
        { client: trx }
      )
      await this.#audit.record(
        {
          actorId: admin.id,
          action: 'invitation.created',
          subject: { type: 'invitation', id: created.id },
          meta: { email: input.email, role: input.role, expiresAt: created.expiresAt.toISO() },
          ip,
        },
        trx
      )
      return created
    })
    const link = this.linkFor(token)
    return { ok: true, invitation, link, mailed: await this.#mail(invitation, link, admin) }
  }

  async revoke(admin: User, id: number, ip: string | null): Promise<RevokeInvitationResult> {
    if (!isRowId(id)) return { ok: false, code: 'E_NOT_FOUND' }
    return db.transaction(async (trx) => {
      const invitation = await Invitation.query({ client: trx }).where('id', id).forUpdate().first()
      if (!invitation) return { ok: false as const, code: 'E_NOT_FOUND' as const }
      if (invitation.state !== 'pending') {
        return { ok: false as const, code: 'E_NOT_PENDING' as const, state: invitation.state }
      }
      invitation.revokedAt = DateTime.now()
      invitation.revokedBy = admin.id
      await invitation.save()
      await this.#audit.record(
        {
          actorId: admin.id,
          action: 'invitation.revoked',
          subject: { type: 'invitation', id: invitation.id },
          meta: { email: invitation.email, role: invitation.role },
          ip,
        },
        trx
      )
      return { ok: true as const, invitation }
    })
  }

  /** The invitation a link stands for, while it can still be used. */
  usable(token: string) {
    return Invitation.query()
      .where('token_hash', hashToken(token))
      .whereNull('accepted_at')
      .whereNull('revoked_at')
      .where('expires_at', '>', new Date())
      .first()
  }

  /** Spends the invitation: creates the account with its e-mail and role, once. */
  async accept(
    token: string,
    data: { fullName: string; password: string; companyName?: string | null },
    ip: string | null
  ): Promise<AcceptInvitationResult> {
    return db.transaction(async (trx) => {
      const invitation = await Invitation.query({ client: trx })
        .where('token_hash', hashToken(token))
        .whereNull('accepted_at')
        .whereNull('revoked_at')
        .where('expires_at', '>', new Date())
        .forUpdate()
        .first()
      if (!invitation) return { ok: false as const, code: 'E_INVITATION_INVALID' as const }
      if (await User.query({ client: trx }).where('email', invitation.email).first()) {
        return { ok: false as const, code: 'E_ACCOUNT_EXISTS' as const, email: invitation.email }
      }
      const user = await User.create(
        {
          email: invitation.email,
          fullName: data.fullName,
          password: data.password,
          role: invitation.role,
          companyName: invitation.role === 'buyer' ? (data.companyName ?? null) : null,
        },
        { client: trx }
      )
      invitation.acceptedAt = DateTime.now()
      invitation.acceptedUserId = user.id
      await invitation.save()
      await this.#audit.record(
        {
          actorId: user.id,
          action: 'invitation.accepted',
          subject: { type: 'invitation', id: invitation.id },
          meta: { email: user.email, role: user.role },
          ip,
        },
        trx
      )
      return { ok: true as const, user }
    })
  }

  /** E-mails the link when SMTP is configured; the admin's page shows it either way. */
  async #mail(invitation: Invitation, link: string, admin: User) {
    if (!this.mailEnabled) return false
    try {
      await mail.send((message) => {
        message
          .to(invitation.email)
          .subject('You are invited to Athera')
          .htmlView('emails/invitation', {
            invitation,
            link,
            inviter: admin.fullName,
            days: INVITATION_TTL_DAYS,
          })
      })
      return true
    } catch (error) {
      logger.error(
        { err: error, invitationId: invitation.id },
        'invitation e-mail could not be sent'
      )
      return false
    }
  }
}
