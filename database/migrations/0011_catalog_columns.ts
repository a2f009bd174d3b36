import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The catalog's side of datasets.
 *
 * - `dataset_clips`: a dataset's clip selection while it is edited (versions freeze a copy of it
 *   at publication; this list stays editable).
 * - Filter and sort columns on `datasets`, copied from the latest version at each publication so
 *   the public grid filters and pages with indexes instead of reading every version's manifest.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('dataset_clips', (table) => {
      table
        .uuid('dataset_id')
        .notNullable()
        .references('id')
        .inTable('datasets')
        .onDelete('CASCADE')
      table.uuid('clip_id').notNullable().references('id').inTable('clips').onDelete('RESTRICT')
      table.integer('position').notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['dataset_id', 'clip_id'])
      table.index(['clip_id'])
    })

    this.schema.alterTable('datasets', (table) => {
      table
        .uuid('latest_version_id')
        .nullable()
        .references('id')
        .inTable('dataset_versions')
        .onDelete('RESTRICT')
      table.uuid('cover_clip_id').nullable().references('id').inTable('clips').onDelete('SET NULL')
      table.timestamp('published_at', { useTz: true }).nullable()
      // What the latest version sells for: the draft's price and licence apply at the next publication.
      table.integer('listed_price_cents').nullable()
      table.specificType('listed_licence_type', 'licence_type').nullable()
      table.integer('clip_count').notNullable().defaultTo(0)
      table.bigInteger('duration_ms').notNullable().defaultTo(0)
      table.specificType('sports', 'text[]').notNullable().defaultTo('{}')
      table.specificType('activities', 'text[]').notNullable().defaultTo('{}')
      table.specificType('skill_levels', 'text[]').notNullable().defaultTo('{}')
      table.specificType('camera_angles', 'text[]').notNullable().defaultTo('{}')
    })
    // One index per sort order (keyset pagination reads them in order); arrays filter by GIN.
    this.schema.raw(
      `CREATE INDEX datasets_catalog_newest ON datasets (published_at DESC, id DESC) WHERE status = 'published'`
    )
    this.schema.raw(
      `CREATE INDEX datasets_catalog_price ON datasets (listed_price_cents, id) WHERE status = 'published'`
    )
    this.schema.raw(
      `CREATE INDEX datasets_catalog_clips ON datasets (clip_count DESC, id DESC) WHERE status = 'published'`
    )
    for (const column of ['sports', 'activities', 'skill_levels', 'camera_angles']) {
      this.schema.raw(`CREATE INDEX datasets_${column}_gin ON datasets USING gin (${column})`)
    }
  }

  async down() {
    for (const name of ['newest', 'price', 'clips'])
      this.schema.raw(`DROP INDEX IF EXISTS datasets_catalog_${name}`)
    for (const column of ['sports', 'activities', 'skill_levels', 'camera_angles']) {
      this.schema.raw(`DROP INDEX IF EXISTS datasets_${column}_gin`)
    }
    this.schema.alterTable('datasets', (table) => {
      table.dropColumns(
        'latest_version_id',
        'cover_clip_id',
        'published_at',
        'listed_price_cents',
        'listed_licence_type',
        'clip_count',
        'duration_ms',
        'sports',
        'activities',
        'skill_levels',
        'camera_angles'
      )
    })
    this.schema.dropTable('dataset_clips')
  }
}
