import { layered } from '#app/core/validation_messages'
import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import { LICENCE_TYPES } from '#models/dataset'

export interface DatasetFormMeta {
  sports: string[]
  priceMinCents: number
  priceMaxCents: number
  currency: string
  /** Curated (admin) datasets may span several sports. */
  sportRequired: boolean
}

/** "$10.00"; the instance currency is shown beside the field. */
const money = (cents: number) => (cents / 100).toFixed(2)

/** A price is free (0) or within the instance's bounds, in whole cents. */
const priceWithinBounds = vine.createRule(
  (value: unknown, _options: undefined, field: FieldContext) => {
    if (typeof value !== 'number') return
    const meta = field.meta as DatasetFormMeta
    const cents = Math.round(value * 100)
    if (Math.abs(cents - value * 100) > 1e-6) {
      field.report('Enter the price in whole cents, like 24.99.', 'priceCents', field)
      return
    }
    if (cents !== 0 && (cents < meta.priceMinCents || cents > meta.priceMaxCents)) {
      field.report(
        `Enter 0 for a free dataset, or a price from ${money(meta.priceMinCents)} to ${money(meta.priceMaxCents)} ${meta.currency}.`,
        'priceBounds',
        field
      )
    }
  }
)

/** A sport from the instance's list; optional only for curated datasets. */
const instanceSport = vine.createRule(
  (value: unknown, _options: undefined, field: FieldContext) => {
    const meta = field.meta as DatasetFormMeta
    if (value === undefined || value === null || value === '') {
      if (meta.sportRequired)
        field.report('Choose the sport of this dataset.', 'instanceSport', field)
      return
    }
    if (typeof value !== 'string' || !meta.sports.includes(value)) {
      field.report(
        `Choose one of this instance's sports: ${meta.sports.join(', ')}.`,
        'instanceSport',
        field
      )
    }
  },
  { implicit: true }
)

/** Title, description, sport, tags, licence type and price of a dataset (create and edit). */
export const datasetValidator = vine.withMetaData<DatasetFormMeta>().create({
  title: vine.string().trim().minLength(3).maxLength(200),
  description: vine.string().trim().maxLength(5000).optional(),
  sport: vine.string().trim().optional().use(instanceSport()),
  tags: vine.string().trim().maxLength(500).optional(),
  licenceType: vine.enum(LICENCE_TYPES),
  price: vine.number({ strict: false }).min(0).use(priceWithinBounds()),
})

datasetValidator.messagesProvider = layered(
  new SimpleMessagesProvider(
    {
      'title.required': 'Give the dataset a title.',
      'licenceType.required': 'Choose research or commercial licensing.',
      'licenceType.enum': 'Choose research or commercial licensing.',
      'price.required': 'Enter a price, or 0 for a free dataset.',
      'price.number': 'Enter the price as a number, like 25 or 24.99.',
      'price.min': 'A price cannot be negative: enter 0 for a free dataset.',
      'minLength': '{{ field }} must be at least {{ min }} characters.',
      'maxLength': '{{ field }} must be at most {{ max }} characters.',
    },
    { title: 'Title', description: 'Description', tags: 'Tags' }
  )
)

/** The clips picked for a dataset (checkboxes named `clips[]`); an empty pick clears the list. */
export const datasetClipsValidator = vine.create({
  clips: vine.array(vine.string().uuid()).maxLength(2000).optional(),
})
datasetClipsValidator.messagesProvider = layered(
  new SimpleMessagesProvider({
    'clips.*.uuid': 'That clip does not exist.',
    'clips.maxLength': 'A dataset holds at most {{ max }} clips.',
  })
)

/** Splits "a, b ,c" into tags: trimmed, lower-case, unique, at most 20. */
export function parseTags(input: string | undefined) {
  const tags = (input ?? '')
    .split(',')
    .map((tag) => tag.trim().toLowerCase())
    .filter((tag) => tag.length > 0 && tag.length <= 40)
  return [...new Set(tags)].slice(0, 20)
}
