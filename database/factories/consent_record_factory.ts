import factory from '@adonisjs/lucid/factories'
import ConsentRecord from '#models/consent_record'
import ConsentText from '#models/consent_text'
import { ConsentTextFactory } from '#database/factories/consent_text_factory'
import { UserFactory } from '#database/factories/user_factory'

/**
 * A grant by default. A missing `userId` gets a new creator and a missing text the latest
 * published one (or a new one), so `ConsentRecordFactory.create()` is enough in a test.
 */
export const ConsentRecordFactory = factory
  .define(ConsentRecord, ({ faker }) => {
    const name = faker.person.fullName()
    return {
      kind: 'grant' as const,
      subject: 'self' as const,
      athleteCount: 1,
      guardianName: null,
      guardianRelationship: null,
      scopes: ['processing', 'licensing'] as ConsentRecord['scopes'],
      usage: 'research_and_commercial' as const,
      signature: name,
      ip: faker.internet.ipv4(),
      userAgent: faker.internet.userAgent(),
      withdrawsRecordId: null,
    }
  })
  // States run after merge(): keep a guardian the test named.
  .state('minor', (record, { faker }) => {
    record.subject = 'minor'
    record.guardianName ??= faker.person.fullName()
    record.guardianRelationship ??= 'parent'
  })
  .state('coachedAthletes', (record, { faker }) => {
    record.subject = 'coached_athletes'
    record.athleteCount = faker.number.int({ min: 2, max: 20 })
  })
  .state('researchOnly', (record) => {
    record.usage = 'research'
  })
  .before('create', async (_, record, { $trx }) => {
    if (!record.userId) {
      const user = await UserFactory.apply('creator').client($trx!).create()
      record.userId = user.id
    }
    if (record.kind === 'grant' && !record.consentTextId) {
      const text =
        (await ConsentText.query({ client: $trx }).orderBy('version', 'desc').first()) ??
        (await ConsentTextFactory.client($trx!).create())
      record.consentTextId = text.id
    }
    if (record.consentTextId && (!record.textVersion || !record.textSha256)) {
      const text = await ConsentText.findOrFail(record.consentTextId, { client: $trx })
      record.textVersion = text.version
      record.textSha256 = text.sha256
    }
  })
  .build()
