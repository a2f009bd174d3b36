import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A withdrawn (or rejected) clip must never enter a dataset version, whichever code builds
 * versions. The application checks too; this makes it impossible rather than unlikely.
 * Versions published before the withdrawal keep the clip: they are append-only and the
 * licences sold for them stay valid.
 */
export default class extends BaseSchema {
  async up() {
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
    this.schema.raw(`
      CREATE TRIGGER dataset_version_clips_usable_clip BEFORE INSERT ON dataset_version_clips
      FOR EACH ROW EXECUTE FUNCTION refuse_unusable_version_clip()
    `)
  }

  async down() {
    this.schema.raw(
      'DROP TRIGGER IF EXISTS dataset_version_clips_usable_clip ON dataset_version_clips'
    )
    this.schema.raw('DROP FUNCTION IF EXISTS refuse_unusable_version_clip()')
  }
}
