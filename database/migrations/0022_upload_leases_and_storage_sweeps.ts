import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Issue 22. `uploads.writing_until`: the lease of the one request appending to an upload, so
 * two PATCHes cannot write (or finish) the same upload at once; it lapses by itself when the
 * process holding it dies. `storage_sweeps`: one row per run of the sweeper that re-queues
 * stuck clips and removes staged files and raw objects no row references, for the admin
 * dashboard.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('uploads', (table) => {
      table.timestamp('writing_until', { useTz: true }).nullable()
    })
    this.schema.createTable('storage_sweeps', (table) => {
      table.increments('id')
      table.timestamp('ran_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.integer('requeued_clips').notNullable().defaultTo(0)
      table.integer('staged_files').notNullable().defaultTo(0)
      table.bigInteger('staged_bytes').notNullable().defaultTo(0)
      table.integer('raw_objects').notNullable().defaultTo(0)
      table.bigInteger('raw_bytes').notNullable().defaultTo(0)
      table.index(['ran_at'])
    })
  }

  async down() {
    this.schema.dropTable('storage_sweeps')
    this.schema.alterTable('uploads', (table) => {
      table.dropColumn('writing_until')
    })
  }
}
