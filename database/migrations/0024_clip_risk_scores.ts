import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The privacy risk score of metadata.json's QA report (workers/vision/risk.ts), copied at
 * publish so the moderation queue sorts by it in SQL and shows its reasons without reading
 * metadata.json for every row. Null for clips processed before: they sort last, "not scored".
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('clips', (table) => {
      table.double('risk_score').nullable()
      table.jsonb('risk_reasons').nullable()
      table.index(['status', 'risk_score'], 'clips_status_risk_score_index')
    })
  }

  async down() {
    this.schema.alterTable('clips', (table) => {
      table.dropIndex(['status', 'risk_score'], 'clips_status_risk_score_index')
      table.dropColumn('risk_score')
      table.dropColumn('risk_reasons')
    })
  }
}
