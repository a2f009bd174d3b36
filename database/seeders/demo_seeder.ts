import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import { BaseSeeder } from '@adonisjs/lucid/seeders'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import User from '#models/user'
import Clip from '#models/clip'
import Dataset from '#models/dataset'
import Licence from '#models/licence'
import ConsentTextSeeder from '#database/seeders/consent_text_seeder'
import InstanceSettingsSeeder from '#database/seeders/instance_settings_seeder'
import { CLIPS, MEDIA_ORDER } from '#database/demo/demo_clips'
import { CREATOR_EMAILS, DEMO_ADMIN_EMAIL, DEMO_PASSWORD } from '#database/demo/demo_accounts'
import { processDemoClips, readDemoMedia } from '#database/demo/demo_media'
import { seedPeople } from '#database/demo/demo_people'
import { publishDemoDataset } from '#database/demo/demo_publish'
import { auditReview } from '#database/demo/demo_reviews'
import { licenceTerms, sellVersion } from '#database/demo/demo_sale'

export { DEMO_ADMIN_EMAIL, DEMO_PASSWORD } from '#database/demo/demo_accounts'
/** Written last: once it exists, the demo is complete. */
const LAST_DATASET_SLUG = 'multi-sport-movement-starter-pack'

/**
 * A small but complete instance for trying Athera out: an admin, three creators, two buyer
 * companies, consented clips in every state, a free and a paid dataset, one paid order with
 * its licence and ledger.
 *
 * Given a folder of videos (DEMO_MEDIA_DIR), clips in MEDIA_ORDER get one each: stored as
 * their original and run through the real pipeline before they are reviewed and published, so
 * the catalog plays previews and the dataset pages show a sample with its skeleton. Without
 * one, the clips have no media and the pages say so.
 *
 * Written in three steps: people and clips (one transaction), processing, then reviews and
 * the catalog (one transaction). A seed stopped in between (a video the pipeline refused) is
 * resumed by the next one; a complete demo is left as it is, never duplicated.
 */
export default class DemoSeeder extends BaseSeeder {
  static environment = ['development', 'test']

  /** The folder of videos for the demo clips; relative to the working directory. */
  mediaDir: string | undefined = env.get('DEMO_MEDIA_DIR') || undefined

  async run() {
    const started = await User.findBy('email', DEMO_ADMIN_EMAIL, { client: this.client })
    if (started && (await Dataset.findBy('slug', LAST_DATASET_SLUG, { client: this.client }))) {
      if (app.inTest) return
      console.warn(
        `Demo data is already present (${DEMO_ADMIN_EMAIL} exists); nothing was changed. ` +
          `To start over${this.mediaDir ? ' with the videos of DEMO_MEDIA_DIR' : ''}: node ace migration:fresh --drop-types --seed`
      )
      return
    }

    if (started) {
      this.#say('Demo data is incomplete (an earlier seed stopped): resuming it.')
    } else {
      // Read before anything is written: a wrong folder stops the seed with nothing done.
      const videos = this.mediaDir
        ? await readDemoMedia(this.mediaDir, (line) => this.#say(line, 'warn'))
        : []
      await new InstanceSettingsSeeder(this.client).run()
      await new ConsentTextSeeder(this.client).run()
      await this.#transaction((trx) => seedPeople(trx, videos, (line) => this.#say(line)))
    }
    await processDemoClips(await this.#pendingMedia(), (line) => this.#say(line))
    await this.#transaction((trx) => this.#catalog(trx))

    if (!app.inTest) {
      this.#printLogins()
      if (!this.mediaDir && !started) {
        console.info(
          '\nThe demo clips have no media: pages show “No media yet”. For playing previews, seed with a folder of videos: ' +
            'DEMO_MEDIA_DIR=../shared/media node ace migration:fresh --drop-types --seed'
        )
      }
    }
  }

  async #transaction(work: (trx: TransactionClientContract) => Promise<void>) {
    const trx = await this.client.transaction()
    try {
      await work(trx)
      await trx.commit()
    } catch (error) {
      await trx.rollback()
      throw error
    }
  }

  #say(line: string, level: 'info' | 'warn' = 'info') {
    if (!app.inTest) console[level](line)
  }

  /** The demo clips with an original still waiting for the pipeline, in MEDIA_ORDER. */
  async #pendingMedia() {
    const clips = await Clip.query({ client: this.client })
      .whereIn('user_id', (query) =>
        query.from('users').whereIn('email', Object.values(CREATOR_EMAILS)).select('id')
      )
      .whereIn('status', ['uploaded', 'processing'])
      .whereIn('title', MEDIA_ORDER)
      .whereHas('assets', (query) => query.where('kind', 'raw'))
    return clips.sort((a, b) => MEDIA_ORDER.indexOf(a.title) - MEDIA_ORDER.indexOf(b.title))
  }

  /** Reviews of the processed demo clips, then the two datasets, a free licence and a sale. */
  async #catalog(trx: TransactionClientContract) {
    const client = { client: trx }
    const users = await User.query(client).whereIn('email', [
      DEMO_ADMIN_EMAIL,
      ...Object.values(CREATOR_EMAILS),
      'procurement@motionlab.test',
      'data@kinetica.test',
    ])
    const byEmail = (email: string) => users.find((item) => item.email === email)!
    const admin = byEmail(DEMO_ADMIN_EMAIL)
    const clips = await Clip.query(client)
      .whereIn(
        'user_id',
        Object.values(CREATOR_EMAILS).map((email) => byEmail(email).id)
      )
      .preload('assets')
    const byTitle = (title: string) => clips.find((clip) => clip.title === title)!

    // A clip the pipeline just processed gets the decision the demo gives it, made now.
    for (const clip of clips) {
      const spec = CLIPS.find((item) => item.title === clip.title)!
      if (clip.status !== 'processed' || !['approved', 'rejected'].includes(spec.status)) continue
      clip.useTransaction(trx)
      clip.merge({
        status: spec.status,
        statusReason: spec.statusReason ?? null,
        reviewedAt: DateTime.now(),
        reviewedBy: admin.id,
      })
      await clip.save()
      await auditReview(trx, admin, clip)
    }

    const football = await publishDemoDataset(trx, {
      owner: byEmail(CREATOR_EMAILS.maria),
      title: 'Football training drills',
      slug: 'football-training-drills',
      description:
        'Side, front and behind views of penalty kicks, close dribbling and goalkeeper dives, recorded at club training sessions. Faces and shirt numbers blurred; 33-point body keypoints at 29.97 fps.',
      sport: 'football',
      tags: ['football', 'drills', 'goalkeeper', 'pose'],
      licenceType: 'research',
      priceCents: 0,
      curated: false,
      clips: ['Penalty kick, right foot', 'Dribbling through cones', 'Goalkeeper low dive'].map(
        byTitle
      ),
    })
    const starter = await publishDemoDataset(trx, {
      owner: admin,
      title: 'Multi-sport movement starter pack',
      slug: LAST_DATASET_SLUG,
      description:
        'A curated mix of explosive movements — sprint starts, jumps, shooting and dribbling — from three creators, for training and benchmarking pose models across sports.',
      sport: null,
      tags: ['multi-sport', 'athletics', 'basketball', 'football', 'pose', 'benchmark'],
      licenceType: 'commercial',
      priceCents: 5900,
      curated: true,
      clips: [
        'Dribbling through cones',
        '100 m block start',
        'Long jump approach and take-off',
        'Free throw routine',
      ].map(byTitle),
    })

    await Licence.create(
      {
        buyerId: byEmail('data@kinetica.test').id,
        datasetVersionId: football.id,
        source: 'free',
        licenceType: football.licenceType,
        ...(await licenceTerms(trx, football)),
      },
      client
    )
    await sellVersion(trx, starter, byEmail('procurement@motionlab.test'))
  }

  #printLogins() {
    console.info(`\nDemo accounts (password for all: ${DEMO_PASSWORD})`)
    console.table([
      { role: 'admin', email: DEMO_ADMIN_EMAIL },
      { role: 'creator', email: CREATOR_EMAILS.maria },
      { role: 'creator', email: CREATOR_EMAILS.jordan },
      { role: 'creator', email: CREATOR_EMAILS.minjun },
      { role: 'buyer', email: 'procurement@motionlab.test (MotionLab GmbH)' },
      { role: 'buyer', email: 'data@kinetica.test (Kinetica AI Inc.)' },
    ])
  }
}
