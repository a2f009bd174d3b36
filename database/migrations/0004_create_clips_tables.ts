import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('clips', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      // Clips are withdrawn, never deleted: their consent and sales history points at them.
      table.integer('user_id').notNullable().references('id').inTable('users').onDelete('RESTRICT')
      table
        .integer('consent_record_id')
        .notNullable()
        .references('id')
        .inTable('consent_records')
        .onDelete('RESTRICT')
      table.string('title', 200).notNullable()
      table.string('sport', 60).notNullable()
      table.string('activity', 120).nullable()
      table
        .enum('skill_level', ['beginner', 'intermediate', 'advanced', 'elite', 'professional'], {
          useNative: true,
          enumName: 'clip_skill_level',
          existingType: false,
        })
        .nullable()
      table.string('camera_angle', 60).nullable()
      table.string('venue_type', 60).nullable()
      table.date('recorded_on').nullable()
      table.specificType('tags', 'text[]').notNullable().defaultTo('{}')
      table
        .enum(
          'status',
          ['uploaded', 'processing', 'processed', 'approved', 'rejected', 'failed', 'withdrawn'],
          { useNative: true, enumName: 'clip_status', existingType: false }
        )
        .notNullable()
        .defaultTo('uploaded')
      table.text('status_reason').nullable()
      table.smallint('progress').notNullable().defaultTo(0)
      table.string('failed_step', 40).nullable()
      // Display only: object keys are built from ids, never from this name.
      table.string('original_filename', 255).notNullable()
      // Known once the upload has been streamed and hashed.
      table.string('content_type', 100).nullable()
      table.bigInteger('bytes').nullable()
      table.specificType('sha256', 'char(64)').nullable()
      table.integer('duration_ms').nullable()
      table.integer('width').nullable()
      table.integer('height').nullable()
      table.decimal('fps', 7, 3).nullable()
      table.timestamp('reviewed_at', { useTz: true }).nullable()
      table.integer('reviewed_by').nullable().references('id').inTable('users').onDelete('SET NULL')
      table.timestamp('withdrawn_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.index(['user_id', 'created_at'])
      table.index(['status', 'created_at'])
      table.index(['consent_record_id'])
      table.index(['sport'])
    })
    this.schema.raw(`
      ALTER TABLE clips
        ADD CONSTRAINT clips_progress_range CHECK (progress BETWEEN 0 AND 100),
        ADD CONSTRAINT clips_reason_required
          CHECK (status NOT IN ('rejected', 'failed') OR nullif(btrim(status_reason), '') IS NOT NULL),
        ADD CONSTRAINT clips_withdrawn_at_required CHECK (status <> 'withdrawn' OR withdrawn_at IS NOT NULL),
        ADD CONSTRAINT clips_bytes_nonnegative CHECK (bytes IS NULL OR bytes >= 0),
        ADD CONSTRAINT clips_duration_nonnegative CHECK (duration_ms IS NULL OR duration_ms >= 0)
    `)
    // The same file uploaded twice by one creator is a duplicate; once withdrawn it may return.
    this.schema.raw(`
      CREATE UNIQUE INDEX clips_user_sha256_active_unique ON clips (user_id, sha256)
      WHERE status <> 'withdrawn'
    `)
    this.schema.raw('CREATE INDEX clips_tags_gin ON clips USING gin (tags)')

    this.schema.createTable('consent_record_clips', (table) => {
      table
        .integer('consent_record_id')
        .notNullable()
        .references('id')
        .inTable('consent_records')
        .onDelete('RESTRICT')
      table.uuid('clip_id').notNullable().references('id').inTable('clips').onDelete('RESTRICT')
      table.primary(['consent_record_id', 'clip_id'])
      table.index(['clip_id'])
    })
    this.schema.raw(`
      CREATE TRIGGER consent_record_clips_append_only BEFORE UPDATE OR DELETE ON consent_record_clips
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()
    `)

    this.schema.createTable('clip_assets', (table) => {
      table.increments('id')
      table.uuid('clip_id').notNullable().references('id').inTable('clips').onDelete('CASCADE')
      table
        .enum('kind', ['raw', 'video', 'keypoints', 'metadata', 'thumbnail', 'preview'], {
          useNative: true,
          enumName: 'clip_asset_kind',
          existingType: false,
        })
        .notNullable()
      table.string('bucket', 63).notNullable()
      table.string('key', 512).notNullable()
      table.bigInteger('bytes').notNullable()
      table.specificType('sha256', 'char(64)').notNullable()
      table.string('content_type', 100).notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.unique(['clip_id', 'kind'])
      table.unique(['bucket', 'key'])
    })

    this.schema.createTable('processing_runs', (table) => {
      table.increments('id')
      table.uuid('clip_id').notNullable().references('id').inTable('clips').onDelete('CASCADE')
      table.integer('attempt').notNullable()
      table.string('job_id', 100).nullable()
      table
        .enum('status', ['running', 'succeeded', 'failed'], {
          useNative: true,
          enumName: 'processing_run_status',
          existingType: false,
        })
        .notNullable()
        .defaultTo('running')
      table.timestamp('started_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('finished_at', { useTz: true }).nullable()
      table.string('failed_step', 40).nullable()
      table.string('error_code', 60).nullable()
      table.text('error_message').nullable()
      table.jsonb('step_timings').notNullable().defaultTo('{}')
      table.jsonb('model_versions').notNullable().defaultTo('{}')
      table.string('worker_host', 255).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())

      // A retried job finds its attempt row instead of writing a second one.
      table.unique(['clip_id', 'attempt'])
    })
    this.schema.raw(
      'ALTER TABLE processing_runs ADD CONSTRAINT processing_runs_attempt_positive CHECK (attempt >= 1)'
    )
  }

  async down() {
    this.schema.dropTable('processing_runs')
    this.schema.dropTable('clip_assets')
    this.schema.dropTable('consent_record_clips')
    this.schema.dropTable('clips')
    this.schema.raw('DROP TYPE IF EXISTS processing_run_status')
    this.schema.raw('DROP TYPE IF EXISTS clip_asset_kind')
    this.schema.raw('DROP TYPE IF EXISTS clip_status')
    this.schema.raw('DROP TYPE IF EXISTS clip_skill_level')
  }
}
