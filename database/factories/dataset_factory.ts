import factory from '@adonisjs/lucid/factories'
import Dataset from '#models/dataset'
import { UserFactory } from '#database/factories/user_factory'

// Tests tell datasets apart by title in rendered pages, so two must never share one.
let serial = 0

/** A draft dataset; a missing `ownerId` gets a new creator. */
export const DatasetFactory = factory
  .define(Dataset, ({ faker }) => {
    const sport = faker.helpers.arrayElement(['football', 'basketball', 'athletics', 'tennis'])
    const title = `${faker.word.adjective()} ${sport} movements (${++serial})`
    return {
      title: title[0].toUpperCase() + title.slice(1),
      slug: `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${faker.string.alphanumeric(6).toLowerCase()}`,
      description: faker.lorem.paragraph(),
      sport,
      tags: [sport, 'pose'],
      licenceType: 'research' as const,
      priceCents: faker.number.int({ min: 10, max: 100 }) * 100,
      currency: 'USD',
      status: 'draft' as const,
      curated: false,
    }
  })
  .state('published', (dataset) => {
    dataset.status = 'published'
  })
  .state('free', (dataset) => {
    dataset.priceCents = 0
  })
  .state('commercial', (dataset) => {
    dataset.licenceType = 'commercial'
  })
  .state('curated', (dataset) => {
    dataset.curated = true
    dataset.sport = null
  })
  .before('create', async (_, dataset, { $trx }) => {
    if (!dataset.ownerId) {
      const owner = await UserFactory.apply('creator').client($trx!).create()
      dataset.ownerId = owner.id
    }
  })
  .build()
