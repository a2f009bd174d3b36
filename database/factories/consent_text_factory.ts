import factory from '@adonisjs/lucid/factories'
import ConsentText from '#models/consent_text'

export const ConsentTextFactory = factory
  .define(ConsentText, ({ faker }) => ({
    title: 'Consent to processing and licensing of sports video',
    body: faker.lorem.paragraphs(4),
    publishedBy: null,
  }))
  // Versions are unique: take the next one unless the caller chose it.
  .before('create', async (_, text, { $trx }) => {
    if (text.version) return
    const row = await ConsentText.query({ client: $trx }).max('version as max').first()
    text.version = Number(row?.$extras.max ?? 0) + 1
  })
  .build()
