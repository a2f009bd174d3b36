import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Database-level guarantees the application must not be able to bypass: legal and financial
 * records are append-only, whichever code path (ORM, raw SQL, psql) touches them.
 */
export default class extends BaseSchema {
  async up() {
    // One function for every append-only table, so the refusal reads the same everywhere.
    // TRUNCATE stays allowed: it is an operator's act (test resets, `migration:fresh`).
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION forbid_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME
          USING ERRCODE = 'restrict_violation';
      END
      $$
    `)

    // array_to_string() is only STABLE, which a generated column refuses; for text[] it is
    // in fact immutable, so the wrapper may say so.
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION immutable_array_to_string(text[]) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string($1, ' ') $$
    `)
  }

  async down() {
    this.schema.raw('DROP FUNCTION IF EXISTS immutable_array_to_string(text[])')
    this.schema.raw('DROP FUNCTION IF EXISTS forbid_mutation()')
  }
}
