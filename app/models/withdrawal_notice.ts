import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasOne } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasOne } from '@adonisjs/lucid/types/relations'
import Clip from '#models/clip'
import ConsentRecord from '#models/consent_record'
import Licence from '#models/licence'
import WithdrawalAck from '#models/withdrawal_ack'
import { jsonb } from '#models/columns'

/**
 * A licence holder's notice that a clip of their licensed version was withdrawn: which files
 * of their export to delete. One per licence, withdrawal record and clip.
 */
export default class WithdrawalNotice extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare licenceId: string

  @column()
  declare clipId: string

  @column()
  declare withdrawalRecordId: number

  @column()
  declare buyerId: number

  @column(jsonb)
  declare files: string[]

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime()
  declare emailedAt: DateTime | null

  @belongsTo(() => Licence)
  declare licence: BelongsTo<typeof Licence>

  @belongsTo(() => Clip)
  declare clip: BelongsTo<typeof Clip>

  @belongsTo(() => ConsentRecord, { foreignKey: 'withdrawalRecordId' })
  declare withdrawalRecord: BelongsTo<typeof ConsentRecord>

  @hasOne(() => WithdrawalAck, { foreignKey: 'noticeId' })
  declare ack: HasOne<typeof WithdrawalAck>
}
