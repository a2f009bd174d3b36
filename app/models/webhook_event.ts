import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { jsonb } from '#models/columns'

/**
 * A Stripe event as received. The unique `stripeEventId` is what makes a redelivered event
 * a no-op; `processedAt` stays null until a handler finished it.
 */
export default class WebhookEvent extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare stripeEventId: string

  @column()
  declare type: string

  @column(jsonb)
  declare payload: Record<string, unknown>

  @column.dateTime({ autoCreate: true })
  declare receivedAt: DateTime

  @column.dateTime()
  declare processedAt: DateTime | null

  @column()
  declare error: string | null
}
