import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Withdrawals reach the recipients (GDPR Art. 17(2) and 19): each live licence of a version
 * holding a withdrawn clip gets a notice naming the files to delete; the buyer's confirmation
 * is an append-only acknowledgement; a buyer may register one signed webhook endpoint, and
 * every delivery attempt to it is logged.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('withdrawal_notices', (table) => {
      table.increments('id')
      table
        .uuid('licence_id')
        .notNullable()
        .references('id')
        .inTable('licences')
        .onDelete('RESTRICT')
      table.uuid('clip_id').notNullable().references('id').inTable('clips').onDelete('RESTRICT')
      // The withdrawal record is what the notice answers: a clip withdrawal, or a licensing-only one.
      table
        .integer('withdrawal_record_id')
        .notNullable()
        .references('id')
        .inTable('consent_records')
        .onDelete('RESTRICT')
      table.integer('buyer_id').notNullable().references('id').inTable('users').onDelete('RESTRICT')
      /** The paths in the licence's export that the buyer must delete. */
      table.jsonb('files').notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('emailed_at', { useTz: true }).nullable()

      // A record may name several clips: one notice per licence, record and clip, so a
      // re-run of the job inserts nothing new.
      table.unique(['licence_id', 'withdrawal_record_id', 'clip_id'])
      table.index(['buyer_id', 'created_at'])
      table.index(['withdrawal_record_id'])
    })
    this.schema.raw(`
      ALTER TABLE withdrawal_notices
        ADD CONSTRAINT withdrawal_notices_files CHECK (jsonb_typeof(files) = 'array')
    `)

    this.schema.createTable('withdrawal_acks', (table) => {
      table.increments('id')
      table
        .integer('notice_id')
        .notNullable()
        .unique()
        .references('id')
        .inTable('withdrawal_notices')
        .onDelete('RESTRICT')
      table.integer('user_id').notNullable().references('id').inTable('users').onDelete('RESTRICT')
      table.string('via', 8).notNullable()
      table.specificType('ip', 'inet').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(`
      ALTER TABLE withdrawal_acks ADD CONSTRAINT withdrawal_acks_via CHECK (via IN ('page', 'api'))
    `)
    // The buyer's statement that the files are gone is evidence: never edited, never removed.
    this.schema.raw(`
      CREATE TRIGGER withdrawal_acks_append_only BEFORE UPDATE OR DELETE ON withdrawal_acks
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()
    `)

    this.schema.createTable('buyer_webhooks', (table) => {
      table.increments('id')
      table
        .integer('user_id')
        .notNullable()
        .unique()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.text('url').notNullable()
      // Encrypted with APP_KEY (see WebhookService): HMAC signing needs the secret itself, so
      // it cannot be stored as a hash; a database dump alone does not reveal it.
      table.text('secret').notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(`
      ALTER TABLE buyer_webhooks
        ADD CONSTRAINT buyer_webhooks_url CHECK (url ~* '^(http|https)://' AND length(url) <= 2000)
    `)

    this.schema.createTable('webhook_deliveries', (table) => {
      table.increments('id')
      table.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE')
      // Removing the endpoint stops its pending deliveries; the log of past ones stays.
      table
        .integer('webhook_id')
        .nullable()
        .references('id')
        .inTable('buyer_webhooks')
        .onDelete('SET NULL')
      table
        .integer('notice_id')
        .nullable()
        .references('id')
        .inTable('withdrawal_notices')
        .onDelete('RESTRICT')
      // Sent as the body's id and Athera-Event-Id: the same on every retry, so receivers dedupe.
      table.uuid('event_id').notNullable().unique()
      table.string('event_type', 40).notNullable()
      table.jsonb('payload').notNullable()
      table.integer('attempts').notNullable().defaultTo(0)
      table.integer('last_status').nullable()
      table.text('last_error').nullable()
      table.timestamp('last_attempt_at', { useTz: true }).nullable()
      table.timestamp('next_attempt_at', { useTz: true }).nullable()
      table.timestamp('delivered_at', { useTz: true }).nullable()
      table.timestamp('failed_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.index(['user_id', 'created_at'])
    })
    this.schema.raw(`
      ALTER TABLE webhook_deliveries
        ADD CONSTRAINT webhook_deliveries_type CHECK (event_type IN ('clip.withdrawn', 'test')),
        ADD CONSTRAINT webhook_deliveries_notice CHECK ((event_type = 'clip.withdrawn') = (notice_id IS NOT NULL))
    `)
    // One delivery per notice, however often the notify job runs.
    this.schema.raw(`
      CREATE UNIQUE INDEX webhook_deliveries_notice_once ON webhook_deliveries (notice_id) WHERE notice_id IS NOT NULL
    `)
  }

  async down() {
    this.schema.dropTable('webhook_deliveries')
    this.schema.dropTable('buyer_webhooks')
    this.schema.dropTable('withdrawal_acks')
    this.schema.dropTable('withdrawal_notices')
  }
}
