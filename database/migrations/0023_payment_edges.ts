import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Partial refunds, disputes and events that match no order. `refunded_cents` is what Stripe
 * has refunded of the order's charge so far (a `charge.refunded` carries the running total, so
 * the difference is the new refund); `reversed_cents` is what came back of a sent transfer.
 * `payment_anomalies` keeps the events the app could not apply (a refund of a charge it never
 * sold) for an admin, instead of refusing them until Stripe disables the endpoint.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.raw(`ALTER TYPE ledger_entry_kind ADD VALUE IF NOT EXISTS 'refund'`)
    this.schema.raw(`ALTER TYPE ledger_entry_kind ADD VALUE IF NOT EXISTS 'dispute'`)
    this.schema.alterTable('orders', (table) => {
      table.integer('refunded_cents').notNullable().defaultTo(0)
      table.string('stripe_dispute_id', 255).nullable()
      // Stripe's dispute status as last reported (needs_response, under_review, won, lost…).
      table.string('dispute_status', 40).nullable()
    })
    this.schema.alterTable('transfers', (table) => {
      table.integer('reversed_cents').notNullable().defaultTo(0)
    })
    this.schema.createTable('payment_anomalies', (table) => {
      table.increments('id')
      table.string('stripe_event_id', 255).notNullable().unique()
      table.string('type', 120).notNullable()
      table.string('stripe_object_id', 255).nullable()
      table.integer('amount_cents').nullable()
      table.specificType('currency', 'char(3)').nullable()
      table.text('detail').notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['created_at'])
    })
  }

  async down() {
    this.schema.dropTable('payment_anomalies')
    this.schema.alterTable('transfers', (table) => {
      table.dropColumn('reversed_cents')
    })
    this.schema.alterTable('orders', (table) => {
      table.dropColumn('dispute_status')
      table.dropColumn('stripe_dispute_id')
      table.dropColumn('refunded_cents')
    })
    // PostgreSQL cannot drop an enum value; 'refund' and 'dispute' stay (unused).
  }
}
