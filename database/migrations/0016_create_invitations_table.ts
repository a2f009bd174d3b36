import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Invitations: while registration is invite-only, an admin invites an e-mail address with a
 * role, and the one-time link in the invitation is the only way to create an account.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('invitations', (table) => {
      table.increments('id')
      table.specificType('email', 'citext').notNullable()
      table.specificType('role', 'user_role').notNullable()
      // Only the SHA-256 of the token is stored; the token itself is in the link the admin hands over.
      table.specificType('token_hash', 'char(64)').notNullable().unique()
      table
        .integer('created_by')
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('RESTRICT')
      table.timestamp('expires_at', { useTz: true }).notNullable()
      table.timestamp('accepted_at', { useTz: true }).nullable()
      table
        .integer('accepted_user_id')
        .nullable()
        .references('id')
        .inTable('users')
        .onDelete('RESTRICT')
      table.timestamp('revoked_at', { useTz: true }).nullable()
      table.integer('revoked_by').nullable().references('id').inTable('users').onDelete('RESTRICT')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.index(['email'])
      table.index(['created_at'])
    })
    this.schema.raw(`
      ALTER TABLE invitations
        -- Admins are made by another admin or the CLI, never by a link.
        ADD CONSTRAINT invitations_role CHECK (role IN ('creator', 'buyer')),
        ADD CONSTRAINT invitations_accepted_user CHECK ((accepted_at IS NULL) = (accepted_user_id IS NULL)),
        ADD CONSTRAINT invitations_used_once CHECK (accepted_at IS NULL OR revoked_at IS NULL)
    `)
  }

  async down() {
    this.schema.dropTable('invitations')
  }
}
