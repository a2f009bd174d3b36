import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import {
  BaseModel,
  beforeCreate,
  belongsTo,
  column,
  hasMany,
  manyToMany,
} from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany, ManyToMany } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import ClipAsset from '#models/clip_asset'
import ConsentRecord from '#models/consent_record'
import DatasetVersion from '#models/dataset_version'
import ProcessingRun from '#models/processing_run'
import { jsonb, numeric } from '#models/columns'
import type { RiskReason } from '#workers/vision/risk'

/** A risk reason as the clip keeps it: where it happens in seconds, for the review page's jumps. */
export type ClipRiskReason = Pick<RiskReason, 'code' | 'message' | 'weight' | 'times'>

export const CLIP_STATUSES = [
  'uploaded',
  'processing',
  'processed',
  'approved',
  'rejected',
  'failed',
  'withdrawn',
] as const
export type ClipStatus = (typeof CLIP_STATUSES)[number]

export const SKILL_LEVELS = ['beginner', 'intermediate', 'advanced', 'elite', 'professional'] as const
export type SkillLevel = (typeof SKILL_LEVELS)[number]

/**
 * One uploaded video. Status runs uploaded → processing → processed → approved | rejected,
 * or ends in failed / withdrawn; rejected and failed carry a reason (CHECK constraint).
 */
export default class Clip extends BaseModel {
  static selfAssignPrimaryKey = true

  @column({ isPrimary: true })
  declare id: string

  @column()
  declare userId: number

  /** The grant this clip was uploaded under. */
  @column()
  declare consentRecordId: number

  @column()
  declare title: string

  @column()
  declare sport: string

  @column()
  declare activity: string | null

  @column()
  declare skillLevel: SkillLevel | null

  @column()
  declare cameraAngle: string | null

  @column()
  declare venueType: string | null

  @column.date()
  declare recordedOn: DateTime | null

  @column()
  declare tags: string[]

  @column()
  declare status: ClipStatus

  @column()
  declare statusReason: string | null

  /** 0–100, written by the pipeline as it goes. */
  @column()
  declare progress: number

  @column()
  declare failedStep: string | null

  /** Shown to the creator only; never used to build a storage key. */
  @column()
  declare originalFilename: string

  @column()
  declare contentType: string | null

  @column(numeric)
  declare bytes: number | null

  @column({ columnName: 'sha256' })
  declare sha256: string | null

  @column()
  declare durationMs: number | null

  /** Counted from keypoints.json while it was written (null for clips processed before 0020). */
  @column()
  declare keypointPeople: number | null

  @column()
  declare keypointFrames: number | null

  @column()
  declare keypointFrameCount: number | null

  @column()
  declare keypointFps: number | null

  /** metadata.json's risk score, 0–100, copied at publish (null for clips processed before 0024). */
  @column()
  declare riskScore: number | null

  /** Its reasons, highest weight first (SQL NULL, not JSON null, when not scored). */
  @column({ prepare: (value: unknown) => (value === null ? null : jsonb.prepare(value)) })
  declare riskReasons: ClipRiskReason[] | null

  @column()
  declare width: number | null

  @column()
  declare height: number | null

  @column(numeric)
  declare fps: number | null

  @column.dateTime()
  declare reviewedAt: DateTime | null

  @column()
  declare reviewedBy: number | null

  @column.dateTime()
  declare withdrawnAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>

  @belongsTo(() => ConsentRecord)
  declare consentRecord: BelongsTo<typeof ConsentRecord>

  @belongsTo(() => User, { foreignKey: 'reviewedBy' })
  declare reviewer: BelongsTo<typeof User>

  @hasMany(() => ClipAsset)
  declare assets: HasMany<typeof ClipAsset>

  @hasMany(() => ProcessingRun)
  declare processingRuns: HasMany<typeof ProcessingRun>

  /** Every consent record that names this clip: the grant and any withdrawal. */
  @manyToMany(() => ConsentRecord, {
    pivotTable: 'consent_record_clips',
    pivotForeignKey: 'clip_id',
    pivotRelatedForeignKey: 'consent_record_id',
  })
  declare consentRecords: ManyToMany<typeof ConsentRecord>

  @manyToMany(() => DatasetVersion, {
    pivotTable: 'dataset_version_clips',
    pivotForeignKey: 'clip_id',
    pivotRelatedForeignKey: 'dataset_version_id',
    pivotColumns: ['position', 'seconds'],
  })
  declare datasetVersions: ManyToMany<typeof DatasetVersion>

  @beforeCreate()
  static assignIdAndDefaults(clip: Clip) {
    clip.id ??= randomUUID()
    // Mirrors the column defaults so a fresh instance reads like the stored row.
    clip.status ??= 'uploaded'
    clip.progress ??= 0
    clip.tags ??= []
  }
}
