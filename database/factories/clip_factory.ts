import { DateTime } from 'luxon'
import factory from '@adonisjs/lucid/factories'
import Clip from '#models/clip'
import { ConsentRecordFactory } from '#database/factories/consent_record_factory'
import { UserFactory } from '#database/factories/user_factory'

const SPORTS = ['football', 'basketball', 'athletics', 'tennis', 'volleyball'] as const
const ACTIVITIES: Record<(typeof SPORTS)[number], string[]> = {
  football: ['penalty kick', 'dribbling drill', 'goalkeeper dive'],
  basketball: ['free throw', 'layup', 'crossover dribble'],
  athletics: ['100 m sprint start', 'long jump', 'high jump'],
  tennis: ['serve', 'forehand rally', 'backhand volley'],
  volleyball: ['spike', 'serve receive', 'block'],
}

/**
 * An uploaded clip. A missing `userId` gets a new creator and a missing `consentRecordId`
 * a grant by that creator; the grant then lists the clip, as the upload form does.
 */
export const ClipFactory = factory
  .define(Clip, ({ faker }) => {
    const sport = faker.helpers.arrayElement(SPORTS)
    const activity = faker.helpers.arrayElement(ACTIVITIES[sport])
    return {
      title: `${sport} — ${activity}`,
      sport,
      activity,
      skillLevel: faker.helpers.arrayElement([
        'beginner',
        'intermediate',
        'advanced',
        'elite',
      ] as const),
      cameraAngle: faker.helpers.arrayElement(['side', 'front', 'behind', 'overhead']),
      venueType: faker.helpers.arrayElement(['indoor', 'outdoor', 'stadium']),
      recordedOn: DateTime.fromJSDate(faker.date.past({ years: 2 })).startOf('day'),
      tags: [sport, activity],
      status: 'uploaded' as const,
      progress: 0,
      originalFilename: `${faker.system.fileName({ extensionCount: 0 })}.mp4`,
      contentType: 'video/mp4',
      bytes: faker.number.int({ min: 2_000_000, max: 80_000_000 }),
      sha256: faker.string.hexadecimal({ length: 64, casing: 'lower', prefix: '' }),
      durationMs: faker.number.int({ min: 4_000, max: 60_000 }),
    }
  })
  .state('processed', (clip) => processed(clip, 'processed'))
  .state('approved', (clip) => {
    processed(clip, 'approved')
    clip.reviewedAt = DateTime.now()
  })
  .state('rejected', (clip) => {
    processed(clip, 'rejected')
    clip.statusReason = 'A face remains visible in the anonymized video.'
    clip.reviewedAt = DateTime.now()
  })
  .state('failed', (clip) => {
    clip.status = 'failed'
    clip.failedStep = 'probe'
    clip.statusReason = 'The file has no video stream.'
  })
  .state('withdrawn', (clip) => {
    clip.status = 'withdrawn'
    clip.withdrawnAt = DateTime.now()
  })
  .before('create', async (_, clip, { $trx }) => {
    if (!clip.userId) {
      const owner = await UserFactory.apply('creator').client($trx!).create()
      clip.userId = owner.id
    }
    if (!clip.consentRecordId) {
      const grant = await ConsentRecordFactory.merge({ userId: clip.userId }).client($trx!).create()
      clip.consentRecordId = grant.id
    }
  })
  .after('create', async (_, clip, { $trx }) => {
    await $trx!
      .insertQuery()
      .table('consent_record_clips')
      .insert({ consent_record_id: clip.consentRecordId, clip_id: clip.id })
      .knexQuery.onConflict(['consent_record_id', 'clip_id'])
      .ignore()
  })
  .build()

function processed(clip: Clip, status: Clip['status']) {
  clip.status = status
  clip.progress = 100
  clip.width = 1280
  clip.height = 720
  clip.fps = 30
}
