import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, manyToMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, ManyToMany } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import Clip from '#models/clip'
import ConsentText from '#models/consent_text'

export const CONSENT_KINDS = ['grant', 'withdrawal'] as const
export type ConsentKind = (typeof CONSENT_KINDS)[number]

export const CONSENT_SUBJECTS = ['self', 'coached_athletes', 'minor'] as const
export type ConsentSubject = (typeof CONSENT_SUBJECTS)[number]

export const CONSENT_SCOPES = ['processing', 'licensing'] as const
export type ConsentScope = (typeof CONSENT_SCOPES)[number]

export const CONSENT_USAGES = ['research', 'commercial', 'research_and_commercial'] as const
export type ConsentUsage = (typeof CONSENT_USAGES)[number]

/**
 * Evidence of consent given or withdrawn, append-only in the database. A grant cites the
 * exact text (id, version, hash); a withdrawal points at the grant it withdraws and lists,
 * through `clips`, the clips it covers.
 */
export default class ConsentRecord extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare userId: number

  @column()
  declare kind: ConsentKind

  @column()
  declare consentTextId: number | null

  @column()
  declare textVersion: number | null

  @column({ columnName: 'text_sha256' })
  declare textSha256: string | null

  @column()
  declare subject: ConsentSubject

  @column()
  declare athleteCount: number

  @column()
  declare guardianName: string | null

  @column()
  declare guardianRelationship: string | null

  @column()
  declare scopes: ConsentScope[]

  @column()
  declare usage: ConsentUsage

  /** The typed full name that stands for a signature. */
  @column()
  declare signature: string

  @column()
  declare ip: string | null

  @column()
  declare userAgent: string | null

  @column()
  declare withdrawsRecordId: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>

  @belongsTo(() => ConsentText)
  declare consentText: BelongsTo<typeof ConsentText>

  @belongsTo(() => ConsentRecord, { foreignKey: 'withdrawsRecordId' })
  declare withdrawnGrant: BelongsTo<typeof ConsentRecord>

  @manyToMany(() => Clip, {
    pivotTable: 'consent_record_clips',
    pivotForeignKey: 'consent_record_id',
    pivotRelatedForeignKey: 'clip_id',
  })
  declare clips: ManyToMany<typeof Clip>

  get isMinor() {
    return this.subject === 'minor'
  }
}
