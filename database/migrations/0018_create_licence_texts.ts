import { createHash } from 'node:crypto'
import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * One licence wording, versioned per licence type like consent texts: the buyer reads a text
 * before buying or claiming, and the licence records exactly that text (id, version, sha256).
 * The licence page and every export then deliver the recorded text, never a newer one.
 *
 * Version 1 of each type merges what the catalog page and the export used to say.
 */
const V1 = {
  research: {
    title: 'Athera Research Licence',
    body: `# Athera Research Licence

This licence is granted by the operator of this Athera instance (the licensor) to the organisation that holds it (the licensee), for one dataset version: its videos, keypoints, metadata and thumbnails (the data).

## What is allowed

- Non-commercial research and teaching by the licensee's team: training, fine-tuning and evaluating models for publications, theses and internal research.
- Publishing results, figures, trained-model metrics and the trained models themselves.

## What is not allowed

- Any use in a product or service sold or offered to others.
- Redistributing or reselling the data, in whole or in part.
- Any attempt to identify the people shown, or to reverse the anonymization.

## Withdrawn consent

The people in the data consented to its licensing and may withdraw that consent. When a creator withdraws consent for a clip, the clip is listed on the licence page and the licensee must delete it from every copy it holds.

## Revocation

The licensor may revoke this licence, for example after a refund; the licensee must then delete every copy of the data.
`,
  },
  commercial: {
    title: 'Athera Commercial Licence',
    body: `# Athera Commercial Licence

This licence is granted by the operator of this Athera instance (the licensor) to the organisation that holds it (the licensee), for one dataset version: its videos, keypoints, metadata and thumbnails (the data).

## What is allowed

- Research and commercial use inside the licensee: training, fine-tuning, evaluating and shipping models in the licensee's products and services.
- Selling or offering the models derived from the data.

## What is not allowed

- Redistributing or reselling the data itself, in whole or in part.
- Any attempt to identify the people shown, or to reverse the anonymization.

## Withdrawn consent

The people in the data consented to its licensing and may withdraw that consent. When a creator withdraws consent for a clip, the clip is listed on the licence page and the licensee must delete it from every copy it holds.

## Revocation

The licensor may revoke this licence, for example after a refund; the licensee must then delete every copy of the data.
`,
  },
} as const

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('licence_texts', (table) => {
      table.increments('id')
      table
        .enum('licence_type', null, {
          useNative: true,
          enumName: 'licence_type',
          existingType: true,
        })
        .notNullable()
      table.integer('version').notNullable()
      table.string('title', 200).notNullable()
      table.text('body').notNullable()
      table.specificType('sha256', 'char(64)').notNullable()
      table.timestamp('published_at', { useTz: true }).notNullable().defaultTo(this.now())
      // Null for the texts this migration seeds: no person published them.
      table
        .integer('published_by')
        .nullable()
        .references('id')
        .inTable('users')
        .onDelete('RESTRICT')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.unique(['licence_type', 'version'])
      // Target of the licences' composite key: a licence cites a text of its own type, with
      // that text's version and hash.
      table.unique(['id', 'licence_type', 'version', 'sha256'])
    })
    this.schema.raw(`
      ALTER TABLE licence_texts
        ADD CONSTRAINT licence_texts_version_positive CHECK (version >= 1),
        ADD CONSTRAINT licence_texts_sha256_matches_body
          CHECK (sha256 = encode(sha256(convert_to(body, 'UTF8')), 'hex'))
    `)
    this.schema.raw(`
      CREATE TRIGGER licence_texts_append_only BEFORE UPDATE OR DELETE ON licence_texts
      FOR EACH ROW EXECUTE FUNCTION forbid_mutation()
    `)
    this.defer(async (db) => {
      for (const [type, text] of Object.entries(V1)) {
        await db.table('licence_texts').insert({
          licence_type: type,
          version: 1,
          title: text.title,
          body: text.body,
          sha256: createHash('sha256').update(text.body, 'utf8').digest('hex'),
        })
      }
    })

    this.schema.alterTable('licences', (table) => {
      table.integer('licence_text_id').nullable()
      table.specificType('terms_sha256', 'char(64)').nullable()
    })
    // terms_version becomes the cited text's version number. Every licence issued before
    // this migration is filed under version 1 of its type, which merges the wordings buyers
    // were shown until now.
    this.schema.raw(`ALTER TABLE licences ALTER COLUMN terms_version TYPE integer USING 1`)
    this.schema.raw(`
      UPDATE licences SET licence_text_id = t.id, terms_sha256 = t.sha256
        FROM licence_texts t
       WHERE t.licence_type = licences.licence_type AND t.version = 1
    `)
    this.schema.raw(`
      ALTER TABLE licences
        ALTER COLUMN licence_text_id SET NOT NULL,
        ALTER COLUMN terms_sha256 SET NOT NULL,
        ADD CONSTRAINT licences_text_fkey
          FOREIGN KEY (licence_text_id, licence_type, terms_version, terms_sha256)
          REFERENCES licence_texts (id, licence_type, version, sha256) ON DELETE RESTRICT
    `)
    this.schema.raw(`CREATE INDEX licences_licence_text_id_index ON licences (licence_text_id)`)

    // The text the buyer agreed to at checkout; the webhook issues the licence under it.
    this.schema.alterTable('orders', (table) => {
      table
        .integer('licence_text_id')
        .nullable()
        .references('id')
        .inTable('licence_texts')
        .onDelete('RESTRICT')
    })
    this.schema.raw(`
      UPDATE orders SET licence_text_id = t.id
        FROM dataset_versions v, licence_texts t
       WHERE v.id = orders.dataset_version_id AND t.licence_type = v.licence_type AND t.version = 1
    `)
  }

  async down() {
    this.schema.alterTable('orders', (table) => {
      table.dropColumn('licence_text_id')
    })
    this.schema.raw(`
      ALTER TABLE licences
        DROP CONSTRAINT licences_text_fkey,
        DROP COLUMN licence_text_id,
        DROP COLUMN terms_sha256,
        ALTER COLUMN terms_version TYPE varchar(40) USING terms_version::text
    `)
    this.schema.dropTable('licence_texts')
  }
}
