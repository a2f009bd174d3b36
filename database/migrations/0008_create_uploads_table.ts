import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Resumable uploads in progress (tus protocol). A row lives from the creation request until
 * the file is accepted as a clip (a refused file deletes its row); its bytes sit in the
 * staging folder meanwhile.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('uploads', (table) => {
      table.uuid('id').primary()
      table.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE')
      table
        .integer('consent_record_id')
        .notNullable()
        .references('id')
        .inTable('consent_records')
        .onDelete('RESTRICT')
      table.string('filename', 255).notNullable()
      table.bigInteger('length').notNullable()
      table.bigInteger('offset').notNullable().defaultTo(0)
      table.jsonb('metadata').notNullable()
      table
        .enum('status', ['receiving', 'accepted', 'cancelled'], {
          useNative: true,
          enumName: 'upload_status',
          existingType: false,
        })
        .notNullable()
        .defaultTo('receiving')
      table.uuid('clip_id').nullable().references('id').inTable('clips').onDelete('SET NULL')
      table.timestamp('expires_at', { useTz: true }).notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.index(['user_id', 'status'])
      table.index(['status', 'expires_at'])
    })
    this.schema.raw(
      'ALTER TABLE uploads ADD CONSTRAINT uploads_offset_within_length CHECK ("offset" >= 0 AND "offset" <= length AND length > 0)'
    )
  }

  async down() {
    this.schema.dropTable('uploads')
    this.schema.raw('DROP TYPE IF EXISTS upload_status')
  }
}
