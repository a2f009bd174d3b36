import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A reviewer's manual redaction of a processed clip: a box drawn on one frame of the anonymized
 * video, followed by the tracker over a range of frames, then re-rendered into the clip's video.
 * `tracking` → `tracked` (the boxes are shown before anything changes) → `rendering` →
 * `done` | `failed`; `cancelled` when the reviewer drops it. At most one redaction per clip is
 * `rendering`: two re-renders of one clip would each replace the other's video.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('clip_redactions', (table) => {
      table.increments('id')
      table.uuid('clip_id').notNullable().references('id').inTable('clips').onDelete('CASCADE')
      /** Who drew the box, then who confirmed the re-render. */
      table.integer('admin_id').notNullable().references('id').inTable('users').onDelete('RESTRICT')
      table.string('status', 16).notNullable().defaultTo('tracking')
      /** The output frame the box was drawn on, and the box in output pixels. */
      table.integer('anchor_frame').notNullable()
      table.jsonb('box').notNullable()
      /** First and last output frame to cover, included. */
      table.integer('start_frame').notNullable()
      table.integer('end_frame').notNullable()
      /** One box per frame of the range, `[frame, x, y, w, h, lost]`, once tracked. */
      table.jsonb('track').nullable()
      /** Where the re-render's pixels came from: `raw` or `anonymized`. */
      table.string('source', 16).nullable()
      table.string('error_message', 500).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('rendered_at', { useTz: true }).nullable()
      table.index(['clip_id', 'created_at'])
    })
    this.schema.raw(`
      ALTER TABLE clip_redactions
        ADD CONSTRAINT clip_redactions_status CHECK (status IN ('tracking', 'tracked', 'rendering', 'done', 'failed', 'cancelled')),
        ADD CONSTRAINT clip_redactions_range CHECK (start_frame >= 0 AND start_frame <= anchor_frame AND anchor_frame <= end_frame),
        ADD CONSTRAINT clip_redactions_failed CHECK (status <> 'failed' OR error_message IS NOT NULL)
    `)
    this.schema.raw(
      `CREATE UNIQUE INDEX clip_redactions_one_rendering ON clip_redactions (clip_id) WHERE status = 'rendering'`
    )
  }

  async down() {
    this.schema.dropTable('clip_redactions')
  }
}
