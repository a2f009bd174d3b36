import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The `regions` asset: what the anonymizer blurred in each frame (regions.json), kept for the
 * moderation page. Clips processed before it simply have none.
 */
export default class extends BaseSchema {
  async up() {
    // PostgreSQL 12+ adds an enum value inside a transaction; it is only used after commit.
    this.schema.raw(`ALTER TYPE clip_asset_kind ADD VALUE IF NOT EXISTS 'regions'`)
  }

  async down() {
    // An enum value cannot be dropped: the type is rebuilt without it.
    this.schema.raw(`DELETE FROM clip_assets WHERE kind = 'regions'`)
    this.schema.raw('ALTER TYPE clip_asset_kind RENAME TO clip_asset_kind_with_regions')
    this.schema.raw(
      `CREATE TYPE clip_asset_kind AS ENUM ('raw', 'video', 'keypoints', 'metadata', 'thumbnail', 'preview')`
    )
    this.schema.raw(
      'ALTER TABLE clip_assets ALTER COLUMN kind TYPE clip_asset_kind USING kind::text::clip_asset_kind'
    )
    this.schema.raw('DROP TYPE clip_asset_kind_with_regions')
  }
}
