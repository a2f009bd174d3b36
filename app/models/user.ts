import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import { DbRememberMeTokensProvider } from '@adonisjs/auth/session'
import { DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import Clip from '#models/clip'
import ConsentRecord from '#models/consent_record'
import Dataset from '#models/dataset'
import Licence from '#models/licence'
import Order from '#models/order'
import Transfer from '#models/transfer'

export const USER_ROLES = ['creator', 'buyer', 'admin'] as const
export type UserRole = (typeof USER_ROLES)[number]

/** Roles a visitor may choose at sign-up; admins are made by another admin or the CLI. */
export const SIGNUP_ROLES = ['creator', 'buyer'] as const

const AuthFinder = withAuthFinder(() => hash.use('argon'), {
  uids: ['email'],
  passwordColumnName: 'password',
})

export default class User extends compose(BaseModel, AuthFinder) {
  static rememberMeTokens = DbRememberMeTokensProvider.forModel(User)
  static accessTokens = DbAccessTokensProvider.forModel(User, {
    prefix: 'ath_',
    table: 'auth_access_tokens',
    type: 'api_token',
    tokenSecretLength: 40,
  })

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare email: string

  @column({ serializeAs: null })
  declare password: string

  @column()
  declare fullName: string

  @column()
  declare role: UserRole

  @column()
  declare companyName: string | null

  @column.dateTime()
  declare suspendedAt: DateTime | null

  @column.dateTime()
  declare lastLoginAt: DateTime | null

  @column()
  declare stripeAccountId: string | null

  @column()
  declare stripeAccountStatus: 'none' | 'pending' | 'ready'

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @hasMany(() => Clip)
  declare clips: HasMany<typeof Clip>

  @hasMany(() => ConsentRecord)
  declare consentRecords: HasMany<typeof ConsentRecord>

  @hasMany(() => Dataset, { foreignKey: 'ownerId' })
  declare datasets: HasMany<typeof Dataset>

  @hasMany(() => Order, { foreignKey: 'buyerId' })
  declare orders: HasMany<typeof Order>

  @hasMany(() => Licence, { foreignKey: 'buyerId' })
  declare licences: HasMany<typeof Licence>

  @hasMany(() => Transfer, { foreignKey: 'creatorId' })
  declare transfers: HasMany<typeof Transfer>

  get isAdmin() {
    return this.role === 'admin'
  }

  get isCreator() {
    return this.role === 'creator'
  }

  get isBuyer() {
    return this.role === 'buyer'
  }

  get isSuspended() {
    return this.suspendedAt !== null
  }

  /** The name shown in navigation: the company for buyers, the person otherwise. */
  get displayName() {
    return this.role === 'buyer' && this.companyName ? this.companyName : this.fullName
  }
}
