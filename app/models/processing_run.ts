import { DateTime } from 'luxon'
import { BaseModel, beforeCreate, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Clip from '#models/clip'
import { jsonb } from '#models/columns'

export const PROCESSING_RUN_STATUSES = ['running', 'succeeded', 'failed'] as const
export type ProcessingRunStatus = (typeof PROCESSING_RUN_STATUSES)[number]

/** One attempt of the pipeline on a clip: what ran where, how long each step took, why it failed. */
export default class ProcessingRun extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare clipId: string

  @column()
  declare attempt: number

  @column()
  declare jobId: string | null

  @column()
  declare status: ProcessingRunStatus

  @column.dateTime({ autoCreate: true })
  declare startedAt: DateTime

  @column.dateTime()
  declare finishedAt: DateTime | null

  @column()
  declare failedStep: string | null

  @column()
  declare errorCode: string | null

  @column()
  declare errorMessage: string | null

  /** Milliseconds per step name. */
  @column(jsonb)
  declare stepTimings: Record<string, number>

  /** Model name → version or file hash. */
  @column(jsonb)
  declare modelVersions: Record<string, string>

  @column()
  declare workerHost: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @belongsTo(() => Clip)
  declare clip: BelongsTo<typeof Clip>

  /** Mirrors the column defaults so a fresh instance reads like the stored row. */
  @beforeCreate()
  static applyDefaults(run: ProcessingRun) {
    run.status ??= 'running'
    run.stepTimings ??= {}
    run.modelVersions ??= {}
  }
}
