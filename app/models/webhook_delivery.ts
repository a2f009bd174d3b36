import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { jsonb } from '#models/columns'

export const WEBHOOK_EVENT_TYPES = ['clip.withdrawn', 'test'] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

/** One event for a buyer's endpoint and the outcome of its latest attempt. */
export default class WebhookDelivery extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare userId: number

  @column()
  declare webhookId: number | null

  @column()
  declare noticeId: number | null

  @column()
  declare eventId: string

  @column()
  declare eventType: WebhookEventType

  @column(jsonb)
  declare payload: Record<string, unknown>

  @column()
  declare attempts: number

  @column()
  declare lastStatus: number | null

  @column()
  declare lastError: string | null

  @column.dateTime()
  declare lastAttemptAt: DateTime | null

  @column.dateTime()
  declare nextAttemptAt: DateTime | null

  @column.dateTime()
  declare deliveredAt: DateTime | null

  @column.dateTime()
  declare failedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
