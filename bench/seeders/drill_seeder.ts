import { createHash } from 'node:crypto'
import { BaseSeeder } from '@adonisjs/lucid/seeders'
import db from '@adonisjs/lucid/services/db'
import DatasetVersion from '#models/dataset_version'
import Order from '#models/order'
import { ClipFactory } from '#database/factories/clip_factory'
import { DatasetFactory } from '#database/factories/dataset_factory'
import { UserFactory } from '#database/factories/user_factory'
import { LicenceTextService } from '#app/licences/licence_text_service'
import { DRILL_DATABASE } from '../bench_env.js'

/*
 * For bench/drill.ts only, in the drill's own throw-away database: a buyer, a paid published
 * version with one licensable clip, and a pending order whose Checkout Session id is
 * DRILL_SESSION_ID (the drill's fake Stripe holds that session). Outside database/seeders, so a
 * plain `node ace db:seed` never runs it: bench/drill.ts names it with `--connection bench --files`.
 */
export default class DrillSeeder extends BaseSeeder {
  static environment = ['development', 'test']

  async run() {
    const { rows } = await this.client.rawQuery('SELECT current_database() AS name')
    if (rows[0].name !== DRILL_DATABASE) {
      throw new Error(
        `The drill's seeder runs only in the drill's own database (${DRILL_DATABASE}), not in ${rows[0].name}. Run it through bench/drill.ts.`
      )
    }
    if (!process.env.DRILL_SESSION_ID)
      throw new Error(
        'DRILL_SESSION_ID must name the Checkout Session the drill created at its fake Stripe.'
      )
    const buyer = await UserFactory.apply('buyer')
      .merge({ email: 'drill-buyer@athera.test' })
      .create()
    const dataset = await DatasetFactory.apply('published').merge({ priceCents: 2500 }).create()
    const manifest = { format: 1, clips: [] }
    const version = await DatasetVersion.create({
      datasetId: dataset.id,
      version: 1,
      manifest,
      manifestSha256: createHash('sha256').update(JSON.stringify(manifest)).digest('hex'),
      stats: { clips: 0, duration_ms: 0, people: 0, keypoint_frames: 0 },
      priceCents: 2500,
      currency: dataset.currency,
      licenceType: dataset.licenceType,
    })
    const clip = await ClipFactory.apply('approved').create()
    await db
      .insertQuery()
      .table('dataset_version_clips')
      .insert({ dataset_version_id: version.id, clip_id: clip.id, position: 0, seconds: 5 })
    const text = await new LicenceTextService().current(version.licenceType)
    await Order.create({
      buyerId: buyer.id,
      datasetVersionId: version.id,
      amountCents: 2500,
      currency: version.currency,
      platformFeeCents: 0,
      status: 'pending',
      licenceTextId: text.id,
      stripeCheckoutSessionId: process.env.DRILL_SESSION_ID,
    })
  }
}
