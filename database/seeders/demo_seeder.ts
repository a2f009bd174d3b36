import { createHash, randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import { BaseSeeder } from '@adonisjs/lucid/seeders'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import User from '#models/user'
import AuditLog from '#models/audit_log'
import Clip, { type ClipStatus, type SkillLevel } from '#models/clip'
import ConsentRecord from '#models/consent_record'
import ConsentText from '#models/consent_text'
import Dataset from '#models/dataset'
import DatasetVersion from '#models/dataset_version'
import LedgerEntry from '#models/ledger_entry'
import Licence from '#models/licence'
import Order from '#models/order'
import ProcessingRun from '#models/processing_run'
import Transfer from '#models/transfer'
import { SETTING_DEFAULTS } from '#services/settings_service'
import { listVersion } from '#services/dataset_service'
import { LicenceTextService } from '#services/licence_text_service'
import ConsentTextSeeder from '#database/seeders/consent_text_seeder'
import InstanceSettingsSeeder from '#database/seeders/instance_settings_seeder'
import { platformFee, splitBySeconds } from '#services/ledger_split'

export const DEMO_PASSWORD = 'athera-demo-password'
export const DEMO_ADMIN_EMAIL = 'admin@athera.test'

interface DemoClip {
  owner: 'maria' | 'jordan' | 'minjun'
  /** Which of the owner's grants covers it. */
  grant: 'main' | 'minor'
  title: string
  sport: string
  activity: string
  skillLevel: SkillLevel
  cameraAngle: string
  venueType: string
  durationMs: number
  status: ClipStatus
  statusReason?: string
  failedStep?: string
  progress?: number
}

const CLIPS: DemoClip[] = [
  { owner: 'maria', grant: 'main', title: 'Penalty kick, right foot', sport: 'football', activity: 'penalty kick', skillLevel: 'advanced', cameraAngle: 'side', venueType: 'outdoor', durationMs: 12_400, status: 'approved' },
  { owner: 'maria', grant: 'main', title: 'Dribbling through cones', sport: 'football', activity: 'dribbling drill', skillLevel: 'intermediate', cameraAngle: 'front', venueType: 'outdoor', durationMs: 18_200, status: 'approved' },
  { owner: 'maria', grant: 'main', title: 'Goalkeeper low dive', sport: 'football', activity: 'goalkeeper dive', skillLevel: 'elite', cameraAngle: 'behind', venueType: 'stadium', durationMs: 9_600, status: 'approved' },
  { owner: 'maria', grant: 'main', title: 'Corner kick delivery', sport: 'football', activity: 'corner kick', skillLevel: 'advanced', cameraAngle: 'side', venueType: 'stadium', durationMs: 15_000, status: 'rejected', statusReason: 'A spectator’s face is visible in the anonymized video at 0:07. Please trim the clip and upload it again.' },
  { owner: 'maria', grant: 'main', title: 'Heading practice', sport: 'football', activity: 'header', skillLevel: 'beginner', cameraAngle: 'front', venueType: 'indoor', durationMs: 21_000, status: 'processing', progress: 45 },
  { owner: 'jordan', grant: 'main', title: '100 m block start', sport: 'athletics', activity: 'sprint start', skillLevel: 'elite', cameraAngle: 'side', venueType: 'stadium', durationMs: 8_100, status: 'approved' },
  { owner: 'jordan', grant: 'main', title: 'Long jump approach and take-off', sport: 'athletics', activity: 'long jump', skillLevel: 'advanced', cameraAngle: 'side', venueType: 'outdoor', durationMs: 14_700, status: 'approved' },
  { owner: 'jordan', grant: 'main', title: 'High jump, Fosbury flop', sport: 'athletics', activity: 'high jump', skillLevel: 'advanced', cameraAngle: 'behind', venueType: 'indoor', durationMs: 11_300, status: 'processed' },
  { owner: 'jordan', grant: 'main', title: 'Hurdles drill', sport: 'athletics', activity: 'hurdles', skillLevel: 'intermediate', cameraAngle: 'front', venueType: 'outdoor', durationMs: 0, status: 'failed', failedStep: 'probe', statusReason: 'The file has no video stream (it contains audio only).' },
  { owner: 'minjun', grant: 'main', title: 'Free throw routine', sport: 'basketball', activity: 'free throw', skillLevel: 'professional', cameraAngle: 'front', venueType: 'indoor', durationMs: 10_500, status: 'approved' },
  { owner: 'minjun', grant: 'minor', title: 'Crossover dribble, under-14 training', sport: 'basketball', activity: 'crossover dribble', skillLevel: 'intermediate', cameraAngle: 'side', venueType: 'indoor', durationMs: 16_000, status: 'approved' },
  { owner: 'minjun', grant: 'main', title: 'Layup from the left', sport: 'basketball', activity: 'layup', skillLevel: 'beginner', cameraAngle: 'behind', venueType: 'indoor', durationMs: 7_800, status: 'uploaded' },
]

/**
 * A small but complete instance for trying Athera out: an admin, three creators, two buyer
 * companies, consented clips in every state, a free and a paid dataset, one paid order with
 * its licence and ledger. Refuses to run twice rather than duplicating or guessing.
 */
export default class DemoSeeder extends BaseSeeder {
  static environment = ['development', 'test']

  async run() {
    if (await User.findBy('email', DEMO_ADMIN_EMAIL, { client: this.client })) {
      if (app.inTest) return
      console.warn(
        `Demo data is already present (${DEMO_ADMIN_EMAIL} exists); nothing was changed. ` +
          'To start over: node ace migration:fresh --drop-types --seed'
      )
      return
    }

    await new InstanceSettingsSeeder(this.client).run()
    await new ConsentTextSeeder(this.client).run()

    const trx = await this.client.transaction()
    try {
      await this.#seed(trx)
      await trx.commit()
    } catch (error) {
      await trx.rollback()
      throw error
    }

    if (!app.inTest) this.#printLogins()
  }

  async #seed(trx: TransactionClientContract) {
    const client = { client: trx }
    const text = await ConsentText.findByOrFail('version', 1, client)

    const user = (email: string, fullName: string, role: User['role'], companyName?: string) =>
      User.create({ email, password: DEMO_PASSWORD, fullName, role, companyName: companyName ?? null }, client)

    const admin = await user(DEMO_ADMIN_EMAIL, 'Alex Moreau', 'admin')
    const creators = {
      maria: await user('maria.santos@athera.test', 'Maria Santos', 'creator'),
      jordan: await user('jordan.lee@athera.test', 'Jordan Lee', 'creator'),
      minjun: await user('minjun.kim@athera.test', 'Min-jun Kim', 'creator'),
    }
    const motionLab = await user('procurement@motionlab.test', 'Lena Vogt', 'buyer', 'MotionLab GmbH')
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

    const clips: Clip[] = []
    const uploadedAt = DateTime.now().minus({ days: 20 })
    for (const [index, spec] of CLIPS.entries()) {
      const grant = (grants[spec.owner] as Record<string, ConsentRecord>)[spec.grant]
      const hasVideo = !['uploaded', 'failed'].includes(spec.status)
      const reviewed = ['approved', 'rejected'].includes(spec.status)
      const clip = await Clip.create(
        {
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
          createdAt: uploadedAt.plus({ minutes: index * 7 }),
        },
        client
      )
      await trx.insertQuery().table('consent_record_clips').insert({ consent_record_id: grant.id, clip_id: clip.id })
      await this.#processingRun(trx, clip)
      if (reviewed) {
        await AuditLog.create(
          {
            actorId: admin.id,
            action: clip.status === 'approved' ? 'clip.approve' : 'clip.reject',
            subjectType: 'clip',
            subjectId: clip.id,
            meta: clip.statusReason ? { reason: clip.statusReason } : {},
            ip: '198.51.100.7',
          },
          client
        )
      }
      clips.push(clip)
    }

    const byTitle = (title: string) => clips.find((clip) => clip.title === title)!
    const football = await this.#publish(trx, {
      owner: creators.maria,
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
      slug: 'multi-sport-movement-starter-pack',
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
        buyerId: (await User.findByOrFail('email', 'data@kinetica.test', client)).id,
        datasetVersionId: football.id,
        source: 'free',
        licenceType: football.licenceType,
        ...(await this.#terms(trx, football)),
      },
      client
    )
    await this.#sell(trx, starter, motionLab)
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
    const manifest = {
      dataset: dataset.slug,
      version: 1,
      licence: dataset.licenceType,
      clips: clips.map((clip, position) => ({
        id: clip.id,
        position,
        sport: clip.sport,
        activity: clip.activity,
        duration_ms: clip.durationMs,
        files: {
          video: `clips/${clip.id}/video.mp4`,
          keypoints: `clips/${clip.id}/keypoints.json`,
          metadata: `clips/${clip.id}/metadata.json`,
        },
      })),
    }
    const durationMs = clips.reduce((sum, clip) => sum + (clip.durationMs ?? 0), 0)
    const version = await DatasetVersion.create(
      {
        datasetId: dataset.id,
        version: 1,
        manifest,
        manifestSha256: sha256(JSON.stringify(manifest)),
        stats: {
          clips: clips.length,
          duration_ms: durationMs,
          people: clips.length,
          keypoint_frames: Math.round((durationMs / 1000) * 29.97),
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

  /** The licence columns citing the current licence text of the version's type, as checkout would. */
  async #terms(trx: TransactionClientContract, version: DatasetVersion) {
    const text = await new LicenceTextService().current(version.licenceType, trx)
    return { licenceTextId: text.id, termsVersion: text.version, termsSha256: text.sha256 }
  }

  /**
   * A paid Checkout order as the webhook would record it: the order, the licence, one
   * balanced ledger group (cash in; platform fee and each creator's share by clip seconds)
   * and a pending transfer per creator (no demo creator has a ready Stripe account).
   */
  async #sell(trx: TransactionClientContract, version: DatasetVersion, buyer: User) {
    const client = { client: trx }
    const paidAt = DateTime.now().minus({ days: 2 })
    const feeCents = platformFee(version.priceCents, SETTING_DEFAULTS.commission_bps)
    const terms = await this.#terms(trx, version)
    const order = await Order.create(
      {
        buyerId: buyer.id,
        datasetVersionId: version.id,
        amountCents: version.priceCents,
        currency: version.currency,
        platformFeeCents: feeCents,
        status: 'paid',
        stripeCheckoutSessionId: 'cs_test_demo_0001',
        stripePaymentIntentId: 'pi_test_demo_0001',
        stripeChargeId: 'ch_test_demo_0001',
        paidAt,
        licenceTextId: terms.licenceTextId,
      },
      client
    )
    await Licence.create(
      {
        buyerId: buyer.id,
        datasetVersionId: version.id,
        orderId: order.id,
        source: 'purchase',
        licenceType: version.licenceType,
        ...terms,
      },
      client
    )

    const rows: { user_id: number; seconds: string }[] = await trx
      .from('dataset_version_clips')
      .join('clips', 'clips.id', 'dataset_version_clips.clip_id')
      .where('dataset_version_id', version.id)
      .groupBy('clips.user_id')
      .orderBy('clips.user_id')
      .select('clips.user_id')
      .sum('seconds as seconds')
    const shares = splitBySeconds(
      version.priceCents - feeCents,
      rows.map((row) => ({ creatorId: row.user_id, seconds: Number(row.seconds) }))
    ).map(({ creatorId, cents }) => ({ userId: creatorId, cents }))

    const groupId = randomUUID()
    const entry = { groupId, orderId: order.id, currency: order.currency }
    await LedgerEntry.createMany(
      [
        { ...entry, kind: 'sale', account: 'cash', amountCents: -order.amountCents, memo: `Checkout ${order.stripeCheckoutSessionId}` },
        { ...entry, kind: 'platform_fee', account: 'platform_revenue', amountCents: feeCents, memo: `${SETTING_DEFAULTS.commission_bps / 100}% platform fee` },
        ...shares.map(({ userId, cents }) => ({
          ...entry,
          kind: 'creator_share' as const,
          account: 'creator_payable' as const,
          userId,
          amountCents: cents,
          memo: 'Share by clip seconds',
        })),
      ],
      client
    )
    await LedgerEntry.assertBalanced(trx)
    for (const { userId, cents } of shares) {
      await Transfer.create(
        {
          creatorId: userId,
          orderId: order.id,
          amountCents: cents,
          currency: order.currency,
          status: 'pending',
          sourceTransaction: order.stripeChargeId,
        },
        client
      )
    }
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
