import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Orders, licences and the money trail. Amounts are integer cents in the row's currency.
 * Rows that other rows or Stripe refer to use RESTRICT: money history is never deleted.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('orders', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.integer('buyer_id').notNullable().references('id').inTable('users').onDelete('RESTRICT')
      table
        .uuid('dataset_version_id')
        .notNullable()
        .references('id')
        .inTable('dataset_versions')
        .onDelete('RESTRICT')
      table.integer('amount_cents').notNullable()
      table.specificType('currency', 'char(3)').notNullable()
      table.integer('platform_fee_cents').notNullable().defaultTo(0)
      table
        .enum('status', ['pending', 'paid', 'refunded', 'cancelled', 'failed'], {
          useNative: true,
          enumName: 'order_status',
          existingType: false,
        })
        .notNullable()
        .defaultTo('pending')
      table.string('stripe_checkout_session_id', 255).nullable().unique()
      table.string('stripe_payment_intent_id', 255).nullable().index()
      table.string('stripe_charge_id', 255).nullable()
      table.timestamp('paid_at', { useTz: true }).nullable()
      table.timestamp('refunded_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.index(['buyer_id', 'created_at'])
      table.index(['dataset_version_id'])
    })
    this.schema.raw(`
      ALTER TABLE orders
        ADD CONSTRAINT orders_amount_nonnegative CHECK (amount_cents >= 0),
        ADD CONSTRAINT orders_fee_within_amount
          CHECK (platform_fee_cents >= 0 AND platform_fee_cents <= amount_cents),
        ADD CONSTRAINT orders_currency_code CHECK (currency ~ '^[A-Z]{3}$'),
        ADD CONSTRAINT orders_paid_at_required CHECK (status NOT IN ('paid', 'refunded') OR paid_at IS NOT NULL)
    `)

    this.schema.createTable('licences', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.integer('buyer_id').notNullable().references('id').inTable('users').onDelete('RESTRICT')
      table
        .uuid('dataset_version_id')
        .notNullable()
        .references('id')
        .inTable('dataset_versions')
        .onDelete('RESTRICT')
      table
        .uuid('order_id')
        .nullable()
        .unique()
        .references('id')
        .inTable('orders')
        .onDelete('RESTRICT')
      table
        .enum('source', ['purchase', 'free', 'grant'], {
          useNative: true,
          enumName: 'licence_source',
          existingType: false,
        })
        .notNullable()
      table
        .enum('licence_type', null, {
          useNative: true,
          enumName: 'licence_type',
          existingType: true,
        })
        .notNullable()
      table.string('terms_version', 40).notNullable()
      table.integer('granted_by').nullable().references('id').inTable('users').onDelete('SET NULL')
      table.timestamp('revoked_at', { useTz: true }).nullable()
      table.text('revoke_reason').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.index(['buyer_id', 'created_at'])
      table.index(['dataset_version_id'])
    })
    this.schema.raw(`
      ALTER TABLE licences
        ADD CONSTRAINT licences_purchase_has_order CHECK (source <> 'purchase' OR order_id IS NOT NULL)
    `)
    // A second click on "claim" or a replayed webhook must not yield a second live licence.
    this.schema.raw(`
      CREATE UNIQUE INDEX licences_active_unique ON licences (buyer_id, dataset_version_id)
      WHERE revoked_at IS NULL
    `)

    this.schema.createTable('transfers', (table) => {
      table.increments('id')
      table
        .integer('creator_id')
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('RESTRICT')
      table.uuid('order_id').notNullable().references('id').inTable('orders').onDelete('RESTRICT')
      table.integer('amount_cents').notNullable()
      table.specificType('currency', 'char(3)').notNullable()
      table
        .enum('status', ['pending', 'paid', 'failed', 'reversed'], {
          useNative: true,
          enumName: 'transfer_status',
          existingType: false,
        })
        .notNullable()
        .defaultTo('pending')
      table.string('stripe_transfer_id', 255).nullable().unique()
      table.string('stripe_reversal_id', 255).nullable()
      // The charge a transfer is funded from, so it does not wait for the available balance.
      table.string('source_transaction', 255).nullable()
      table.text('failure_reason').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())

      // One transfer per creator per order: a replayed webhook finds it instead of paying twice.
      table.unique(['order_id', 'creator_id'])
      table.index(['creator_id', 'status'])
    })
    this.schema.raw(`
      ALTER TABLE transfers
        ADD CONSTRAINT transfers_amount_positive CHECK (amount_cents > 0),
        ADD CONSTRAINT transfers_currency_code CHECK (currency ~ '^[A-Z]{3}$')
    `)

    this.schema.createTable('payouts', (table) => {
      table.increments('id')
      table
        .integer('creator_id')
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('RESTRICT')
      table.string('stripe_payout_id', 255).notNullable().unique()
      table.integer('amount_cents').notNullable()
      table.specificType('currency', 'char(3)').notNullable()
      // Stripe's payout statuses, as Stripe reports them.
      table
        .enum('status', ['pending', 'in_transit', 'paid', 'failed', 'canceled'], {
          useNative: true,
          enumName: 'payout_status',
          existingType: false,
        })
        .notNullable()
        .defaultTo('pending')
      table.date('arrival_date').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.index(['creator_id', 'created_at'])
    })

    this.schema.createTable('ledger_entries', (table) => {
      table.increments('id')
      table.uuid('group_id').notNullable()
      table
        .enum('kind', ['sale', 'platform_fee', 'creator_share', 'transfer', 'reversal'], {
          useNative: true,
          enumName: 'ledger_entry_kind',
          existingType: false,
        })
        .notNullable()
      table.string('account', 60).notNullable()
      table.integer('user_id').nullable().references('id').inTable('users').onDelete('RESTRICT')
      table.uuid('order_id').nullable().references('id').inTable('orders').onDelete('RESTRICT')
      table
        .integer('transfer_id')
        .nullable()
        .references('id')
        .inTable('transfers')
        .onDelete('RESTRICT')
      // Signed: a debit is negative, a credit positive; every group sums to zero.
      table.bigInteger('amount_cents').notNullable()
      table.specificType('currency', 'char(3)').notNullable()
      table.text('memo').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.index(['group_id'])
      table.index(['account', 'user_id'])
      table.index(['order_id'])
      table.index(['transfer_id'])
    })
    this.schema.raw(`
      ALTER TABLE ledger_entries
        ADD CONSTRAINT ledger_entries_amount_nonzero CHECK (amount_cents <> 0),
        ADD CONSTRAINT ledger_entries_currency_code CHECK (currency ~ '^[A-Z]{3}$')
    `)
    // Checked at commit, not per row: a group is written in several INSERTs and only the
    // finished transaction has to balance.
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION ledger_group_must_balance() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        total numeric;
        currencies integer;
      BEGIN
        SELECT coalesce(sum(amount_cents), 0), count(DISTINCT currency)
          INTO total, currencies
          FROM ledger_entries WHERE group_id = NEW.group_id;
        IF total <> 0 THEN
          RAISE EXCEPTION 'ledger group % does not balance (sum %)', NEW.group_id, total
            USING ERRCODE = 'check_violation';
        END IF;
        IF currencies > 1 THEN
          RAISE EXCEPTION 'ledger group % mixes currencies', NEW.group_id
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END
      $$
    `)
    this.schema.raw(`
      CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION ledger_group_must_balance()
    `)
    this.schema.raw(`
      CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()
    `)

    this.schema.createTable('webhook_events', (table) => {
      table.increments('id')
      table.string('stripe_event_id', 255).notNullable().unique()
      table.string('type', 120).notNullable()
      table.jsonb('payload').notNullable()
      table.timestamp('received_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('processed_at', { useTz: true }).nullable()
      table.text('error').nullable()

      table.index(['type', 'received_at'])
    })
  }

  async down() {
    this.schema.dropTable('webhook_events')
    this.schema.dropTable('ledger_entries')
    this.schema.raw('DROP FUNCTION IF EXISTS ledger_group_must_balance()')
    this.schema.dropTable('payouts')
    this.schema.dropTable('transfers')
    this.schema.dropTable('licences')
    this.schema.dropTable('orders')
    this.schema.raw('DROP TYPE IF EXISTS ledger_entry_kind')
    this.schema.raw('DROP TYPE IF EXISTS payout_status')
    this.schema.raw('DROP TYPE IF EXISTS transfer_status')
    this.schema.raw('DROP TYPE IF EXISTS licence_source')
    this.schema.raw('DROP TYPE IF EXISTS order_status')
  }
}
