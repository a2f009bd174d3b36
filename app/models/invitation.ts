import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'

/** Roles an invitation can give; admins are made by another admin or the CLI. */
export const INVITATION_ROLES = ['creator', 'buyer'] as const
export type InvitationRole = (typeof INVITATION_ROLES)[number]

/**
 * An admin's invitation of one e-mail address, with the role its account gets. Usable once,
 * until it expires or is revoked; only the hash of its token is stored.
 */
export default class Invitation extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare email: string

  @column()
  declare role: InvitationRole

  @column({ serializeAs: null })
  declare tokenHash: string

  @column()
  declare createdBy: number

  @column.dateTime()
  declare expiresAt: DateTime

  @column.dateTime()
  declare acceptedAt: DateTime | null

  @column()
  declare acceptedUserId: number | null

  @column.dateTime()
  declare revokedAt: DateTime | null

  @column()
  declare revokedBy: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @belongsTo(() => User, { foreignKey: 'createdBy' })
  declare creator: BelongsTo<typeof User>

  /** pending (usable), accepted, revoked or expired. */
  get state(): 'pending' | 'accepted' | 'revoked' | 'expired' {
    if (this.acceptedAt) return 'accepted'
    if (this.revokedAt) return 'revoked'
    if (this.expiresAt <= DateTime.now()) return 'expired'
    return 'pending'
  }
}
