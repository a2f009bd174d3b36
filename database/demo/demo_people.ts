import { createHash } from 'node:crypto'
import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import User from '#models/user'
import Clip from '#models/clip'
import ConsentRecord from '#models/consent_record'
import ConsentText from '#models/consent_text'
import ProcessingRun from '#models/processing_run'
import { CLIPS, MEDIA_ORDER } from '#database/demo/demo_clips'
import { CREATOR_EMAILS, DEMO_ADMIN_EMAIL, DEMO_PASSWORD } from '#database/demo/demo_accounts'
import { originalFields, storeOriginal, type DemoVideo } from '#database/demo/demo_media'
import { auditReview } from '#database/demo/demo_reviews'

/** Users, consent grants and every clip; clips given a video wait, `uploaded`, for the pipeline. */
export async function seedPeople(
  trx: TransactionClientContract,
  videos: DemoVideo[],
  say: (line: string) => void
) {
  const client = { client: trx }
  const text = await ConsentText.findByOrFail('version', 1, client)

  const user = (email: string, fullName: string, role: User['role'], companyName?: string) =>
    User.create(
      { email, password: DEMO_PASSWORD, fullName, role, companyName: companyName ?? null },
      client
    )

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
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  }
  const grants = {
    maria: {
      main: await ConsentRecord.create(
        {
          ...cite,
          userId: creators.maria.id,
          subject: 'coached_athletes',
          athleteCount: 6,
          usage: 'research_and_commercial',
          signature: 'Maria Santos',
        },
        client
      ),
    },
    jordan: {
      main: await ConsentRecord.create(
        {
          ...cite,
          userId: creators.jordan.id,
          subject: 'self',
          athleteCount: 1,
          usage: 'research_and_commercial',
          signature: 'Jordan Lee',
        },
        client
      ),
    },
    minjun: {
      main: await ConsentRecord.create(
        {
          ...cite,
          userId: creators.minjun.id,
          subject: 'self',
          athleteCount: 1,
          usage: 'research_and_commercial',
          signature: 'Min-jun Kim',
        },
        client
      ),
      // An under-16 athlete: consent given by the parent (GDPR Art. 8), research only.
      minor: await ConsentRecord.create(
        {
          ...cite,
          userId: creators.minjun.id,
          subject: 'minor',
          athleteCount: 1,
          guardianName: 'Ji-woo Kim',
          guardianRelationship: 'mother',
          usage: 'research',
          signature: 'Ji-woo Kim',
        },
        client
      ),
    },
  }

  const mediaFor = new Map(
    MEDIA_ORDER.slice(0, videos.length).map((title, index) => [title, videos[index]])
  )
  if (videos.length > MEDIA_ORDER.length) {
    const unused = videos.slice(MEDIA_ORDER.length).map((video) => video.filename)
    say(
      `Demo media: ${unused.length} video${unused.length === 1 ? '' : 's'} left unused (${unused.join(', ')}): the demo has ${MEDIA_ORDER.length} clips that show media.`
    )
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
      const clip = await Clip.create(
        { ...fields, ...originalFields(video), status: 'uploaded', progress: 0 },
        client
      )
      await storeOriginal(trx, clip, video)
      await trx
        .insertQuery()
        .table('consent_record_clips')
        .insert({ consent_record_id: grant.id, clip_id: clip.id })
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
        sha256: createHash('sha256').update(`demo clip ${index}`).digest('hex'),
        durationMs: spec.durationMs || null,
        width: hasVideo ? 1920 : null,
        height: hasVideo ? 1080 : null,
        fps: hasVideo ? 29.97 : null,
        reviewedAt: reviewed ? uploadedAt.plus({ days: 1 }) : null,
        reviewedBy: reviewed ? admin.id : null,
      },
      client
    )
    await trx
      .insertQuery()
      .table('consent_record_clips')
      .insert({ consent_record_id: grant.id, clip_id: clip.id })
    await processingRun(trx, clip)
    if (reviewed) await auditReview(trx, admin, clip)
  }
}

/** The run a pipeline would have left: timings and models for a success, the step for a failure. */
async function processingRun(trx: TransactionClientContract, clip: Clip) {
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
        : {
            probe: 180,
            standardize: 2400,
            anonymize: 21500,
            pose: 17800,
            metadata: 90,
            preview: 3100,
            publish: 1200,
          },
      modelVersions: failed
        ? {}
        : { face: 'blazeface-short-range', pose: 'blazepose-full', text: 'ppocr-v4' },
      workerHost: 'worker-1',
    },
    { client: trx }
  )
}
