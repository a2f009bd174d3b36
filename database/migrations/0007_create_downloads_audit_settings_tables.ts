import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('downloads', (table) => {
      table.increments('id')
      table
        .uuid('licence_id')
        .notNullable()
        .references('id')
        .inTable('licences')
        .onDelete('RESTRICT')
      table.integer('user_id').notNullable().references('id').inTable('users').onDelete('RESTRICT')
      table
        .enum('kind', ['zip', 'manifest', 'file', 'api'], {
          useNative: true,
          enumName: 'download_kind',
          existingType: false,
        })
        .notNullable()
      table.specificType('ip', 'inet').nullable()
      table.text('user_agent').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.index(['licence_id', 'created_at'])
      table.index(['user_id', 'created_at'])
    })

    this.schema.createTable('audit_logs', (table) => {
      table.increments('id')
      // RESTRICT, not SET NULL: nulling the actor would rewrite an append-only row.
      table.integer('actor_id').nullable().references('id').inTable('users').onDelete('RESTRICT')
      table.string('action', 100).notNullable()
      table.string('subject_type', 60).nullable()
      // Text so that integer and uuid ids fit the same column.
      table.string('subject_id', 64).nullable()
      table.jsonb('meta').notNullable().defaultTo('{}')
      table.specificType('ip', 'inet').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.index(['subject_type', 'subject_id'])
      table.index(['actor_id', 'created_at'])
      table.index(['action', 'created_at'])
    })
    this.schema.raw(`
      CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()
    `)

    this.schema.createTable('settings', (table) => {
      table.string('key', 80).primary()
      table.jsonb('value').notNullable()
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.integer('updated_by').nullable().references('id').inTable('users').onDelete('SET NULL')
    })
  }

  async down() {
    this.schema.dropTable('settings')
    this.schema.dropTable('audit_logs')
    this.schema.dropTable('downloads')
    this.schema.raw('DROP TYPE IF EXISTS download_kind')
  }
}
