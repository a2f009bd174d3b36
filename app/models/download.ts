import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import Licence from '#models/licence'

export const DOWNLOAD_KINDS = ['zip', 'manifest', 'file', 'api'] as const
export type DownloadKind = (typeof DOWNLOAD_KINDS)[number]

/** One delivery of licensed data, kept for the buyer's history and the creators' audit. */
export default class Download extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare licenceId: string

  @column()
  declare userId: number

  @column()
  declare kind: DownloadKind

  @column()
  declare ip: string | null

  @column()
  declare userAgent: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @belongsTo(() => Licence)
  declare licence: BelongsTo<typeof Licence>

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>
}
