import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.raw('CREATE EXTENSION IF NOT EXISTS citext')

    this.schema.createTable('users', (table) => {
      table.increments('id')
      table.specificType('email', 'citext').notNullable().unique()
      table.string('password').notNullable()
      table.string('full_name', 120).notNullable()
      table
        .enum('role', ['creator', 'buyer', 'admin'], {
          useNative: true,
          enumName: 'user_role',
          existingType: false,
        })
        .notNullable()
      table.string('company_name', 160).nullable()
      table.timestamp('suspended_at', { useTz: true }).nullable()
      table.timestamp('last_login_at', { useTz: true }).nullable()
      // Stripe Connect (creators): account id and onboarding state from `account.updated`.
      table.string('stripe_account_id').nullable().unique()
      table
        .enum('stripe_account_status', ['none', 'pending', 'ready'], {
          useNative: true,
          enumName: 'stripe_account_status',
          existingType: false,
        })
        .notNullable()
        .defaultTo('none')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.index(['role'])
    })
    // A buyer is a company: the account cannot exist without its name.
    this.schema.raw(
      `ALTER TABLE users ADD CONSTRAINT users_buyer_company CHECK (role <> 'buyer' OR company_name IS NOT NULL)`
    )

    this.schema.createTable('remember_me_tokens', (table) => {
      table.increments('id')
      table
        .integer('tokenable_id')
        .notNullable()
        .unsigned()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.string('hash').notNullable().unique()
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.timestamp('updated_at', { useTz: true }).notNullable()
      table.timestamp('expires_at', { useTz: true }).notNullable()
    })

    this.schema.createTable('auth_access_tokens', (table) => {
      table.increments('id')
      table
        .integer('tokenable_id')
        .notNullable()
        .unsigned()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.string('type').notNullable()
      table.string('name').nullable()
      table.string('hash').notNullable()
      table.text('abilities').notNullable()
      table.timestamp('created_at', { useTz: true })
      table.timestamp('updated_at', { useTz: true })
      table.timestamp('last_used_at', { useTz: true }).nullable()
      table.timestamp('expires_at', { useTz: true }).nullable()
    })

    this.schema.createTable('password_reset_tokens', (table) => {
      table.increments('id')
      table.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE')
      // Only the SHA-256 of the token is stored; the token itself is in the e-mail or CLI output.
      table.string('token_hash', 64).notNullable().unique()
      table.timestamp('expires_at', { useTz: true }).notNullable()
      table.timestamp('used_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
  }

  async down() {
    this.schema.dropTable('password_reset_tokens')
    this.schema.dropTable('auth_access_tokens')
    this.schema.dropTable('remember_me_tokens')
    this.schema.dropTable('users')
    this.schema.raw('DROP TYPE IF EXISTS user_role')
    this.schema.raw('DROP TYPE IF EXISTS stripe_account_status')
  }
}
