import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * How many times Stripe refused to create a creator's Express account. The creation carries
 * an idempotency key per creator, and Stripe replays a key's first answer, refusals included:
 * after a refusal the next try needs a key of its own. A timeout keeps the key, so Stripe
 * returns the account it may have made instead of a second one.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('users', (table) => {
      table.integer('stripe_connect_refusals').notNullable().defaultTo(0)
    })
  }

  async down() {
    this.schema.alterTable('users', (table) => {
      table.dropColumn('stripe_connect_refusals')
    })
  }
}
