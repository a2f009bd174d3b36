import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export const ACK_CHANNELS = ['page', 'api'] as const
export type AckChannel = (typeof ACK_CHANNELS)[number]

/** The buyer's statement that a notice's files are deleted. Append-only in the database. */
export default class WithdrawalAck extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare noticeId: number

  @column()
  declare userId: number

  @column()
  declare via: AckChannel

  @column()
  declare ip: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
