import { createHash } from 'node:crypto'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import { BaseSeeder } from '@adonisjs/lucid/seeders'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import User from '#models/user'
import AuditLog from '#models/audit_log'
import Clip from '#models/clip'
import ConsentRecord from '#models/consent_record'
import ConsentText from '#models/consent_text'
import Dataset from '#models/dataset'
import DatasetVersion from '#models/dataset_version'
import Licence from '#models/licence'
import ProcessingRun from '#models/processing_run'
import { SETTING_DEFAULTS } from '#app/core/settings_store'
import { canonicalJson, listVersion, MANIFEST_FILES, type DatasetManifest, type ManifestFileKind } from '#app/datasets/dataset_service'
import ConsentTextSeeder from '#database/seeders/consent_text_seeder'
import InstanceSettingsSeeder from '#database/seeders/instance_settings_seeder'
import { CLIPS, MEDIA_ORDER } from '#database/demo/demo_clips'
import { licenceTerms, sellVersion } from '#database/demo/demo_sale'
import { originalFields, processDemoClips, readDemoMedia, storeOriginal, type DemoVideo } from '#database/demo/demo_media'

export const DEMO_PASSWORD = 'athera-demo-password'
export const DEMO_ADMIN_EMAIL = 'admin@athera.test'
/** Written last: once it exists, the demo is complete. */
const LAST_DATASET_SLUG = 'multi-sport-movement-starter-pack'
const CREATOR_EMAILS = { maria: 'maria.santos@athera.test', jordan: 'jordan.lee@athera.test', minjun: 'minjun.kim@athera.test' }

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
      const videos = this.mediaDir ? await readDemoMedia(this.mediaDir, (line) => this.#say(line, 'warn')) : []
      await new InstanceSettingsSeeder(this.client).run()
      await new ConsentTextSeeder(this.client).run()
      await this.#transaction((trx) => this.#people(trx, videos))
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

  /** Users, consent grants and every clip; clips given a video wait, `uploaded`, for the pipeline. */
  async #people(trx: TransactionClientContract, videos: DemoVideo[]) {
    const client = { client: trx }
    const text = await ConsentText.findByOrFail('version', 1, client)

    const user = (email: string, fullName: string, role: User['role'], companyName?: string) =>
      User.create({ email, password: DEMO_PASSWORD, fullName, role, companyName: companyName ?? null }, client)

    const admin = await user(DEMO_ADMIN_EMAIL, 'Alex Moreau', 'admin')
    const creators = {
      maria: await user(CREATOR_EMAILS.maria, 'Maria Santos', 'creator'),
      jordan: await user(CREATOR_EMAILS.jordan, 'Jordan Lee', 'creator'),
      minjun: await user(CREATOR_EMAILS.minjun, 'Min-jun Kim', 'creator'),
    }
    await user('procurement@motionlab.test', 'Lena Vogt', 'buyer', 'MotionLab GmbH')
    await user('data@kinetica.test', 'Sam Okafor', 'buyer', 'Kinetica AI Inc.')

    const cite = {
      kind: 'grant' as const,
      consentTextId: text.id,
      textVersion: text.version,
      textSha256: text.sha256,
      scopes: ['processing', 'licensing'] as ConsentRecord['scopes'],
      ip: '203.0.113.10',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
    }
    const grants = {
      maria: {
        main: await ConsentRecord.create({ ...cite, userId: creators.maria.id, subject: 'coached_athletes', athleteCount: 6, usage: 'research_and_commercial', signature: 'Maria Santos' }, client),
      },
      jordan: {
        main: await ConsentRecord.create({ ...cite, userId: creators.jordan.id, subject: 'self', athleteCount: 1, usage: 'research_and_commercial', signature: 'Jordan Lee' }, client),
      },
      minjun: {
        main: await ConsentRecord.create({ ...cite, userId: creators.minjun.id, subject: 'self', athleteCount: 1, usage: 'research_and_commercial', signature: 'Min-jun Kim' }, client),
        // An under-16 athlete: consent given by the parent (GDPR Art. 8), research only.
        minor: await ConsentRecord.create({ ...cite, userId: creators.minjun.id, subject: 'minor', athleteCount: 1, guardianName: 'Ji-woo Kim', guardianRelationship: 'mother', usage: 'research', signature: 'Ji-woo Kim' }, client),
      },
    }

    const mediaFor = new Map(MEDIA_ORDER.slice(0, videos.length).map((title, index) => [title, videos[index]]))
    if (videos.length > MEDIA_ORDER.length) {
      const unused = videos.slice(MEDIA_ORDER.length).map((video) => video.filename)
      this.#say(`Demo media: ${unused.length} video${unused.length === 1 ? '' : 's'} left unused (${unused.join(', ')}): the demo has ${MEDIA_ORDER.length} clips that show media.`)
    }

    const uploadedAt = DateTime.now().minus({ days: 20 })
    for (const [index, spec] of CLIPS.entries()) {
      const grant = (grants[spec.owner] as Record<string, ConsentRecord>)[spec.grant]
      const video = mediaFor.get(spec.title)
      const createdAt = uploadedAt.plus({ minutes: index * 7 })
      const fields = {
        userId: creators[spec.owner].id,
        consentRecordId: grant.id,
        title: spec.title,
        sport: spec.sport,
        activity: spec.activity,
        skillLevel: spec.skillLevel,
        cameraAngle: spec.cameraAngle,
        venueType: spec.venueType,
        recordedOn: uploadedAt.minus({ days: 3 + index }).startOf('day'),
        tags: [spec.sport, spec.activity],
        createdAt,
      }
      if (video) {
        // As an accepted upload leaves it; #catalog reviews it once the pipeline is done.
        const clip = await Clip.create({ ...fields, ...originalFields(video), status: 'uploaded', progress: 0 }, client)
        await storeOriginal(trx, clip, video)
        await trx.insertQuery().table('consent_record_clips').insert({ consent_record_id: grant.id, clip_id: clip.id })
        continue
      }
      const hasVideo = !['uploaded', 'failed'].includes(spec.status)
      const reviewed = ['approved', 'rejected'].includes(spec.status)
      const clip = await Clip.create(
        {
          ...fields,
          status: spec.status,
          statusReason: spec.statusReason ?? null,
          failedStep: spec.failedStep ?? null,
          progress: spec.progress ?? (hasVideo ? 100 : 0),
          originalFilename: `${spec.activity.replace(/\s+/g, '_')}_${index + 1}.mp4`,
          contentType: 'video/mp4',
          bytes: 1_500_000 + index * 731_113,
          sha256: sha256(`demo clip ${index}`),
          durationMs: spec.durationMs || null,
          width: hasVideo ? 1920 : null,
          height: hasVideo ? 1080 : null,
          fps: hasVideo ? 29.97 : null,
          reviewedAt: reviewed ? uploadedAt.plus({ days: 1 }) : null,
          reviewedBy: reviewed ? admin.id : null,
        },
        client
      )
      await trx.insertQuery().table('consent_record_clips').insert({ consent_record_id: grant.id, clip_id: clip.id })
      await this.#processingRun(trx, clip)
      if (reviewed) await this.#audit(trx, admin, clip)
    }
  }

  /** The demo clips with an original still waiting for the pipeline, in MEDIA_ORDER. */
  async #pendingMedia() {
    const clips = await Clip.query({ client: this.client })
      .whereIn('user_id', (query) => query.from('users').whereIn('email', Object.values(CREATOR_EMAILS)).select('id'))
      .whereIn('status', ['uploaded', 'processing'])
      .whereIn('title', MEDIA_ORDER)
      .whereHas('assets', (query) => query.where('kind', 'raw'))
    return clips.sort((a, b) => MEDIA_ORDER.indexOf(a.title) - MEDIA_ORDER.indexOf(b.title))
  }

  async #audit(trx: TransactionClientContract, admin: User, clip: Clip) {
    await AuditLog.create(
      {
        actorId: admin.id,
        action: clip.status === 'approved' ? 'clip.approve' : 'clip.reject',
        subjectType: 'clip',
        subjectId: clip.id,
        meta: clip.statusReason ? { reason: clip.statusReason } : {},
        ip: '198.51.100.7',
      },
      { client: trx }
    )
  }

  /** Reviews of the processed demo clips, then the two datasets, a free licence and a sale. */
  async #catalog(trx: TransactionClientContract) {
    const client = { client: trx }
    const users = await User.query(client).whereIn('email', [DEMO_ADMIN_EMAIL, ...Object.values(CREATOR_EMAILS), 'procurement@motionlab.test', 'data@kinetica.test'])
    const byEmail = (email: string) => users.find((item) => item.email === email)!
    const admin = byEmail(DEMO_ADMIN_EMAIL)
    const clips = await Clip.query(client)
      .whereIn('user_id', Object.values(CREATOR_EMAILS).map((email) => byEmail(email).id))
      .preload('assets')
    const byTitle = (title: string) => clips.find((clip) => clip.title === title)!

    // A clip the pipeline just processed gets the decision the demo gives it, made now.
    for (const clip of clips) {
      const spec = CLIPS.find((item) => item.title === clip.title)!
      if (clip.status !== 'processed' || !['approved', 'rejected'].includes(spec.status)) continue
      clip.useTransaction(trx)
      clip.merge({ status: spec.status, statusReason: spec.statusReason ?? null, reviewedAt: DateTime.now(), reviewedBy: admin.id })
      await clip.save()
      await this.#audit(trx, admin, clip)
    }

    const football = await this.#publish(trx, {
      owner: byEmail(CREATOR_EMAILS.maria),
      title: 'Football training drills',
      slug: 'football-training-drills',
      description: 'Side, front and behind views of penalty kicks, close dribbling and goalkeeper dives, recorded at club training sessions. Faces and shirt numbers blurred; 33-point body keypoints at 29.97 fps.',
      sport: 'football',
      tags: ['football', 'drills', 'goalkeeper', 'pose'],
      licenceType: 'research',
      priceCents: 0,
      curated: false,
      clips: ['Penalty kick, right foot', 'Dribbling through cones', 'Goalkeeper low dive'].map(byTitle),
    })
    const starter = await this.#publish(trx, {
      owner: admin,
      title: 'Multi-sport movement starter pack',
      slug: LAST_DATASET_SLUG,
      description: 'A curated mix of explosive movements — sprint starts, jumps, shooting and dribbling — from three creators, for training and benchmarking pose models across sports.',
      sport: null,
      tags: ['multi-sport', 'athletics', 'basketball', 'football', 'pose', 'benchmark'],
      licenceType: 'commercial',
      priceCents: 5900,
      curated: true,
      clips: ['Dribbling through cones', '100 m block start', 'Long jump approach and take-off', 'Free throw routine'].map(byTitle),
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

  /** Creates a published dataset and its version 1 with the clips' seconds frozen. */
  async #publish(
    trx: TransactionClientContract,
    spec: Pick<Dataset, 'title' | 'slug' | 'description' | 'sport' | 'tags' | 'licenceType' | 'priceCents' | 'curated'> & {
      owner: User
      clips: Clip[]
    }
  ) {
    const { owner, clips, ...fields } = spec
    const dataset = await Dataset.create(
      { ...fields, ownerId: owner.id, currency: SETTING_DEFAULTS.currency, status: 'published' },
      { client: trx }
    )
    // Format 1, as DatasetService.publish writes it: a clip with media lists its processed
    // files (so downloads deliver them), a clip without lists none.
    const kinds = Object.keys(MANIFEST_FILES) as ManifestFileKind[]
    const manifest: DatasetManifest = canonicalJson({
      format: 1 as const,
      clips: clips.map((clip, position) => ({
        id: clip.id,
        position,
        seconds: (clip.durationMs ?? 0) / 1000,
        title: clip.title,
        sport: clip.sport,
        activity: clip.activity,
        skill_level: clip.skillLevel,
        camera_angle: clip.cameraAngle,
        duration_ms: clip.durationMs ?? 0,
        files: kinds.flatMap((kind) => {
          const asset = clip.assets.find((item) => item.kind === kind)
          return asset
            ? [{ kind, bucket: asset.bucket, key: asset.key, bytes: Number(asset.bytes), sha256: asset.sha256, path: MANIFEST_FILES[kind](clip.id) }]
            : []
        }),
      })),
    })
    const durationMs = clips.reduce((sum, clip) => sum + (clip.durationMs ?? 0), 0)
    const version = await DatasetVersion.create(
      {
        datasetId: dataset.id,
        version: 1,
        manifest: manifest as unknown as Record<string, unknown>,
        manifestSha256: sha256(JSON.stringify(manifest)),
        stats: {
          clips: clips.length,
          duration_ms: durationMs,
          // The pipeline's counts where it ran; an estimate for clips without media.
          people: clips.reduce((sum, clip) => sum + (clip.keypointPeople ?? 1), 0),
          keypoint_frames: clips.reduce((sum, clip) => sum + (clip.keypointFrames ?? Math.round(((clip.durationMs ?? 0) / 1000) * 29.97)), 0),
        },
        priceCents: dataset.priceCents,
        currency: dataset.currency,
        licenceType: dataset.licenceType,
      },
      { client: trx }
    )
    await trx
      .insertQuery()
      .table('dataset_version_clips')
      .multiInsert(
        clips.map((clip, position) => ({
          dataset_version_id: version.id,
          clip_id: clip.id,
          position,
          seconds: (clip.durationMs ?? 0) / 1000,
        }))
      )
    // The catalog's filter columns and the editor's clip selection, as publishing leaves them.
    await listVersion(trx, dataset, version, clips)
    await trx
      .insertQuery()
      .table('dataset_clips')
      .multiInsert(clips.map((clip, position) => ({ dataset_id: dataset.id, clip_id: clip.id, position })))
    return version
  }

  /** The run a pipeline would have left: timings and models for a success, the step for a failure. */
  async #processingRun(trx: TransactionClientContract, clip: Clip) {
    if (clip.status === 'uploaded') return
    const startedAt = clip.createdAt.plus({ seconds: 5 })
    const failed = clip.status === 'failed'
    const running = clip.status === 'processing'
    await ProcessingRun.create(
      {
        clipId: clip.id,
        attempt: 1,
        jobId: `process-clip:${clip.id}`,
        status: running ? 'running' : failed ? 'failed' : 'succeeded',
        startedAt,
        finishedAt: running ? null : startedAt.plus({ seconds: failed ? 1 : 48 }),
        failedStep: clip.failedStep,
        errorCode: failed ? 'E_NO_VIDEO_STREAM' : null,
        errorMessage: failed ? clip.statusReason : null,
        stepTimings: failed
          ? { probe: 210 }
          : { probe: 180, standardize: 2400, anonymize: 21500, pose: 17800, metadata: 90, preview: 3100, publish: 1200 },
        modelVersions: failed ? {} : { face: 'blazeface-short-range', pose: 'blazepose-full', text: 'ppocr-v4' },
        workerHost: 'worker-1',
      },
      { client: trx }
    )
  }

  #printLogins() {
    console.info(`\nDemo accounts (password for all: ${DEMO_PASSWORD})`)
    console.table([
      { role: 'admin', email: DEMO_ADMIN_EMAIL },
      { role: 'creator', email: 'maria.santos@athera.test' },
      { role: 'creator', email: 'jordan.lee@athera.test' },
      { role: 'creator', email: 'minjun.kim@athera.test' },
      { role: 'buyer', email: 'procurement@motionlab.test (MotionLab GmbH)' },
      { role: 'buyer', email: 'data@kinetica.test (Kinetica AI Inc.)' },
    ])
  }
}

function sha256(value: string) {
  return createHash('sha256').update(value).digest('hex')
}
