import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Consent is evidence: the exact text a person agreed to, who agreed, for whom and how.
 * Nothing here is ever edited; a withdrawal is a new record pointing at the grant.
 *
 * Foreign keys into append-only tables use RESTRICT, never CASCADE or SET NULL: those
 * actions would be an UPDATE or DELETE that the trigger refuses anyway, and an account with
 * consent on file is suspended, not deleted.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('consent_texts', (table) => {
      table.increments('id')
      table.integer('version').notNullable().unique()
      table.string('title', 200).notNullable()
      table.text('body').notNullable()
      table.specificType('sha256', 'char(64)').notNullable()
      table.timestamp('published_at', { useTz: true }).notNullable().defaultTo(this.now())
      table
        .integer('published_by')
        .nullable()
        .references('id')
        .inTable('users')
        .onDelete('RESTRICT')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())

      // Target of the composite key below: a record can only cite a version/hash pair that exists.
      table.unique(['id', 'version', 'sha256'])
    })
    this.schema.raw(`
      ALTER TABLE consent_texts
        ADD CONSTRAINT consent_texts_version_positive CHECK (version >= 1),
        ADD CONSTRAINT consent_texts_sha256_matches_body
          CHECK (sha256 = encode(sha256(convert_to(body, 'UTF8')), 'hex'))
    `)
    this.schema.raw(`
      CREATE TRIGGER consent_texts_append_only BEFORE UPDATE OR DELETE ON consent_texts
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()
    `)

    this.schema.createTable('consent_records', (table) => {
      table.increments('id')
      table.integer('user_id').notNullable().references('id').inTable('users').onDelete('RESTRICT')
      table
        .enum('kind', ['grant', 'withdrawal'], {
          useNative: true,
          enumName: 'consent_kind',
          existingType: false,
        })
        .notNullable()
      // A withdrawal may be recorded without showing a text again, so these three are
      // required for grants only (CHECK below).
      table.integer('consent_text_id').nullable()
      table.integer('text_version').nullable()
      table.specificType('text_sha256', 'char(64)').nullable()
      table
        .enum('subject', ['self', 'coached_athletes', 'minor'], {
          useNative: true,
          enumName: 'consent_subject',
          existingType: false,
        })
        .notNullable()
      table.integer('athlete_count').notNullable().defaultTo(1)
      table.string('guardian_name', 160).nullable()
      table.string('guardian_relationship', 80).nullable()
      // For a withdrawal, the scopes withdrawn (all of them, or licensing only).
      table.specificType('scopes', 'text[]').notNullable()
      table
        .enum('usage', ['research', 'commercial', 'research_and_commercial'], {
          useNative: true,
          enumName: 'consent_usage',
          existingType: false,
        })
        .notNullable()
      table.string('signature', 160).notNullable()
      table.specificType('ip', 'inet').nullable()
      table.text('user_agent').nullable()
      table
        .integer('withdraws_record_id')
        .nullable()
        .references('id')
        .inTable('consent_records')
        .onDelete('RESTRICT')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.index(['user_id', 'created_at'])
      table.index(['withdraws_record_id'])
    })
    this.schema.raw(`
      ALTER TABLE consent_records
        ADD CONSTRAINT consent_records_text_fkey
          FOREIGN KEY (consent_text_id, text_version, text_sha256)
          REFERENCES consent_texts (id, version, sha256) ON DELETE RESTRICT,
        ADD CONSTRAINT consent_records_grant_cites_text
          CHECK (kind <> 'grant'
            OR (consent_text_id IS NOT NULL AND text_version IS NOT NULL AND text_sha256 IS NOT NULL)),
        ADD CONSTRAINT consent_records_withdrawal_target
          CHECK ((kind = 'withdrawal') = (withdraws_record_id IS NOT NULL)),
        ADD CONSTRAINT consent_records_minor_guardian
          CHECK (subject <> 'minor'
            OR (nullif(btrim(guardian_name), '') IS NOT NULL
              AND nullif(btrim(guardian_relationship), '') IS NOT NULL)),
        ADD CONSTRAINT consent_records_athlete_count CHECK (athlete_count >= 1),
        ADD CONSTRAINT consent_records_scopes
          CHECK (cardinality(scopes) >= 1 AND scopes <@ ARRAY['processing', 'licensing']::text[]),
        ADD CONSTRAINT consent_records_signature CHECK (btrim(signature) <> '')
    `)
    this.schema.raw(`
      CREATE TRIGGER consent_records_append_only BEFORE UPDATE OR DELETE ON consent_records
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()
    `)
  }

  async down() {
    this.schema.dropTable('consent_records')
    this.schema.dropTable('consent_texts')
    this.schema.raw('DROP TYPE IF EXISTS consent_kind')
    this.schema.raw('DROP TYPE IF EXISTS consent_subject')
    this.schema.raw('DROP TYPE IF EXISTS consent_usage')
  }
}
