import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A dataset is the editable listing; a dataset version is what a buyer licenses, frozen at
 * publication (clip list, manifest hash, price), so a licence always means the same bytes.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('datasets', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.integer('owner_id').notNullable().references('id').inTable('users').onDelete('RESTRICT')
      table.string('title', 200).notNullable()
      table.string('slug', 220).notNullable().unique()
      table.text('description').notNullable().defaultTo('')
      // Null for curated multi-sport collections.
      table.string('sport', 60).nullable()
      table.specificType('tags', 'text[]').notNullable().defaultTo('{}')
      table
        .enum('licence_type', ['research', 'commercial'], {
          useNative: true,
          enumName: 'licence_type',
          existingType: false,
        })
        .notNullable()
      table.integer('price_cents').notNullable().defaultTo(0)
      table.specificType('currency', 'char(3)').notNullable().defaultTo('USD')
      table
        .enum('status', ['draft', 'published', 'archived'], {
          useNative: true,
          enumName: 'dataset_status',
          existingType: false,
        })
        .notNullable()
        .defaultTo('draft')
      table.boolean('curated').notNullable().defaultTo(false)
      table.specificType(
        'search',
        `tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
          setweight(to_tsvector('english', coalesce(sport, '')), 'B') ||
          setweight(to_tsvector('english', immutable_array_to_string(tags)), 'B') ||
          setweight(to_tsvector('english', coalesce(description, '')), 'C')
        ) STORED`
      )
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.index(['owner_id'])
      table.index(['status', 'created_at'])
    })
    this.schema.raw(`
      ALTER TABLE datasets
        ADD CONSTRAINT datasets_price_nonnegative CHECK (price_cents >= 0),
        ADD CONSTRAINT datasets_currency_code CHECK (currency ~ '^[A-Z]{3}$')
    `)
    this.schema.raw('CREATE INDEX datasets_search_gin ON datasets USING gin (search)')
    this.schema.raw('CREATE INDEX datasets_tags_gin ON datasets USING gin (tags)')

    this.schema.createTable('dataset_versions', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table
        .uuid('dataset_id')
        .notNullable()
        .references('id')
        .inTable('datasets')
        .onDelete('RESTRICT')
      table.integer('version').notNullable()
      table.jsonb('manifest').notNullable()
      table.specificType('manifest_sha256', 'char(64)').notNullable()
      // { clips, duration_ms, people, keypoint_frames }
      table.jsonb('stats').notNullable()
      table.integer('price_cents').notNullable()
      table.specificType('currency', 'char(3)').notNullable()
      table
        .enum('licence_type', null, {
          useNative: true,
          enumName: 'licence_type',
          existingType: true,
        })
        .notNullable()
      table.timestamp('published_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.unique(['dataset_id', 'version'])
    })
    this.schema.raw(`
      ALTER TABLE dataset_versions
        ADD CONSTRAINT dataset_versions_version_positive CHECK (version >= 1),
        ADD CONSTRAINT dataset_versions_price_nonnegative CHECK (price_cents >= 0),
        ADD CONSTRAINT dataset_versions_currency_code CHECK (currency ~ '^[A-Z]{3}$')
    `)

    this.schema.createTable('dataset_version_clips', (table) => {
      table
        .uuid('dataset_version_id')
        .notNullable()
        .references('id')
        .inTable('dataset_versions')
        .onDelete('RESTRICT')
      table.uuid('clip_id').notNullable().references('id').inTable('clips').onDelete('RESTRICT')
      table.integer('position').notNullable()
      // The creators' share of a sale is split by these seconds.
      table.decimal('seconds', 12, 3).notNullable()
      table.primary(['dataset_version_id', 'clip_id'])
      table.unique(['dataset_version_id', 'position'])
      table.index(['clip_id'])
    })
    this.schema.raw(`
      ALTER TABLE dataset_version_clips
        ADD CONSTRAINT dataset_version_clips_seconds_nonnegative CHECK (seconds >= 0),
        ADD CONSTRAINT dataset_version_clips_position_nonnegative CHECK (position >= 0)
    `)

    for (const name of ['dataset_versions', 'dataset_version_clips']) {
      this.schema.raw(`
        CREATE TRIGGER ${name}_append_only BEFORE UPDATE OR DELETE ON ${name}
        FOR EACH ROW EXECUTE FUNCTION forbid_mutation()
      `)
    }
  }

  async down() {
    this.schema.dropTable('dataset_version_clips')
    this.schema.dropTable('dataset_versions')
    this.schema.dropTable('datasets')
    this.schema.raw('DROP TYPE IF EXISTS dataset_status')
    this.schema.raw('DROP TYPE IF EXISTS licence_type')
  }
}
