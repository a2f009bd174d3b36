import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * How many times Stripe refused a transfer. Stripe replays the first answer to an idempotency
 * key, refusals included, so a retry after a refusal needs a key of its own; a timeout (which
 * may have created the transfer) keeps the key, so Stripe returns that transfer instead of a
 * second one.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('transfers', (table) => {
      table.integer('refusals').notNullable().defaultTo(0)
    })
  }

  async down() {
    this.schema.alterTable('transfers', (table) => {
      table.dropColumn('refusals')
    })
  }
}
