import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * What the people filmed agreed to binds every version: a clip may enter a dataset version
 * only when the grant it was uploaded under includes licensing, that licensing was not
 * withdrawn, and the grant's usage covers the version's licence type.
 *
 * `clip_licensing_problem` is the one decision, in the database so that no path (a service,
 * the seeder, raw SQL) can go around it: the trigger below refuses with it, and the
 * application asks it for the reason it shows beside a clip (app/datasets/clip_eligibility.ts).
 * It answers NULL when the clip may enter a version of that licence type, else a code.
 *
 * Existing rows are not touched: versions published before this migration that hold clips the
 * consent does not cover stay as they were (they are append-only, and licences cite them);
 * the application lists them for admins and does not sell them.
 */
export default class extends BaseSchema {
  async up() {
    // True once the clip may no longer be licensed: withdrawn whole, or for licensing only.
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION clip_licensing_withdrawn(p_clip uuid) RETURNS boolean
      LANGUAGE sql STABLE AS $$
        SELECT EXISTS (
          SELECT 1 FROM clips c WHERE c.id = p_clip AND c.status = 'withdrawn'
        ) OR EXISTS (
          SELECT 1
          FROM consent_record_clips rc
          JOIN consent_records w ON w.id = rc.consent_record_id
          WHERE rc.clip_id = p_clip AND w.kind = 'withdrawal' AND 'licensing' = ANY (w.scopes)
        )
      $$
    `)
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION clip_licensing_problem(p_clip uuid, p_type licence_type) RETURNS text
      LANGUAGE sql STABLE AS $$
        SELECT CASE
          WHEN c.id IS NULL THEN 'missing'
          WHEN c.status = 'withdrawn' THEN 'withdrawn'
          WHEN c.status = 'rejected' THEN 'rejected'
          WHEN NOT ('licensing' = ANY (g.scopes)) THEN 'no_licensing_consent'
          WHEN clip_licensing_withdrawn(c.id) THEN 'licensing_withdrawn'
          WHEN p_type = 'commercial' AND g.usage = 'research' THEN 'research_only'
          WHEN p_type = 'research' AND g.usage = 'commercial' THEN 'commercial_only'
          WHEN c.status <> 'approved' THEN 'not_approved'
        END
        FROM (SELECT p_clip AS id) wanted
        LEFT JOIN clips c ON c.id = wanted.id
        LEFT JOIN consent_records g ON g.id = c.consent_record_id
      $$
    `)
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION refuse_unusable_version_clip() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        version_type licence_type;
        problem text;
      BEGIN
        -- Locked so that a withdrawal committing at the same moment waits for this insert
        -- (or this insert sees the withdrawal).
        PERFORM 1 FROM clips WHERE id = NEW.clip_id FOR SHARE;
        SELECT licence_type INTO version_type FROM dataset_versions WHERE id = NEW.dataset_version_id;
        problem := clip_licensing_problem(NEW.clip_id, version_type);
        IF problem IS NOT NULL THEN
          RAISE EXCEPTION 'E_CLIP_NOT_LICENSABLE: clip % cannot enter a % dataset version (%)',
            NEW.clip_id, version_type, problem
            USING ERRCODE = 'check_violation',
              CONSTRAINT = 'dataset_version_clips_licensable_clip',
              DETAIL = problem;
        END IF;
        RETURN NEW;
      END
      $$
    `)

    this.schema.alterTable('licences', (table) => {
      // Clips of the version that were no longer licensable when this licence was issued:
      // not delivered, and their creators not paid for this sale.
      table.integer('excluded_clips').notNullable().defaultTo(0)
    })
  }

  async down() {
    this.schema.alterTable('licences', (table) => {
      table.dropColumn('excluded_clips')
    })
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION refuse_unusable_version_clip() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        clip_status clip_status;
      BEGIN
        SELECT status INTO clip_status FROM clips WHERE id = NEW.clip_id FOR SHARE;
        IF clip_status IN ('withdrawn', 'rejected') THEN
          RAISE EXCEPTION 'clip % is % and cannot enter a dataset version', NEW.clip_id, clip_status
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END
      $$
    `)
    this.schema.raw('DROP FUNCTION IF EXISTS clip_licensing_problem(uuid, licence_type)')
    this.schema.raw('DROP FUNCTION IF EXISTS clip_licensing_withdrawn(uuid)')
  }
}
