import { layered } from '#app/core/validation_messages'
import { open } from 'node:fs/promises'
import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import { USER_ROLES } from '#models/user'
import { INVITATION_ROLES } from '#models/invitation'
import { sniffImage, splitSports } from '#app/admin/settings_fields'
import { companyName, email, fullName, newPassword } from '#app/accounts/public'

/*
 * The admin's forms: users (filters, role), invitations and signing up through one, instance
 * settings, and the audit log's filters.
 */

export const USER_STATUSES = ['active', 'suspended'] as const

/** The users list's query string. */
export const userFiltersValidator = vine.create({
  q: vine.string().trim().maxLength(200).optional(),
  role: vine.enum(USER_ROLES).optional(),
  status: vine.enum(USER_STATUSES).optional(),
  page: vine.number({ strict: false }).withoutDecimals().min(1).max(100_000).optional(),
})
userFiltersValidator.messagesProvider = layered(
  new SimpleMessagesProvider(
    {
      'q.maxLength': 'Search for at most {{ max }} characters.',
      'role.enum': 'Filter by creator, buyer or admin.',
      'status.enum': 'Filter by active or suspended accounts.',
      'page.number': 'Pages are numbered 1, 2, 3…',
      'page.withoutDecimals': 'Pages are numbered 1, 2, 3…',
      'page.min': 'Pages are numbered 1, 2, 3…',
      'page.max': 'Pages are numbered 1, 2, 3…',
    },
    { q: 'search' }
  )
)

export const roleChangeValidator = vine.create({
  role: vine.enum(USER_ROLES),
})
roleChangeValidator.messagesProvider = layered(
  new SimpleMessagesProvider({
    'role.required': 'Choose creator, buyer or admin.',
    'role.enum': 'Choose creator, buyer or admin.',
  })
)

export const invitationValidator = vine.create({
  email: email(),
  role: vine.enum(INVITATION_ROLES),
})
invitationValidator.messagesProvider = layered(
  new SimpleMessagesProvider(
    {
      'email.required': 'Enter the e-mail address to invite.',
      'role.required': 'Choose whether the invited person is a creator or a buyer.',
      'role.enum': 'Choose whether the invited person is a creator or a buyer.',
    },
    { email: 'e-mail' }
  )
)

/** Signing up through an invitation: the e-mail and role come from the invitation. */
export const invitationSignupValidator = vine.withMetaData<{ role: string }>().create({
  fullName: fullName(),
  password: newPassword().confirmed({ as: 'passwordConfirmation' }),
  companyName: companyName().requiredWhen((field) => field.meta.role === 'buyer'),
})
invitationSignupValidator.messagesProvider = layered(new SimpleMessagesProvider({}))

/* Instance settings. */

/**
 * Currencies Stripe charges in whose minor unit is a hundredth: prices are stored in cents and
 * shown divided by 100, so zero-decimal (JPY, KRW…) and three-decimal currencies are left out.
 */
export const CURRENCIES = [
  'USD',
  'EUR',
  'GBP',
  'CHF',
  'CAD',
  'AUD',
  'NZD',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'RON',
  'BGN',
  'BRL',
  'MXN',
  'SGD',
  'HKD',
  'INR',
  'ZAR',
  'AED',
  'ILS',
  'TRY',
  'THB',
  'MYR',
  'PHP',
] as const

export const LOGO_MAX_BYTES = 512 * 1024
export const COMMISSION_MAX_PERCENT = 50
export const RETENTION_MAX_DAYS = 3650
/** Longest time a buyer may be given to confirm a withdrawal notice. */
export const ACK_MAX_DAYS = 365
const PRICE_MIN = 0.5
const PRICE_MAX = 100_000
const SPORTS_MAX = 50
const SPORT_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

/** Whole hundredths: 20, 20.5 and 20.25 pass, 20.125 does not. */
const hundredths = vine.createRule((value: unknown, _options: undefined, field: FieldContext) => {
  if (typeof value !== 'number') return
  if (Math.abs(value * 100 - Math.round(value * 100)) > 1e-6) {
    field.report('Use at most two decimals, like 12.50.', 'hundredths', field)
  }
})

/** The highest price is not below the lowest. */
const notBelowMin = vine.createRule((value: unknown, _options: undefined, field: FieldContext) => {
  const min = Number(field.parent?.priceMin)
  if (typeof value === 'number' && Number.isFinite(min) && value < min) {
    field.report('The highest price must not be below the lowest price.', 'notBelowMin', field)
  }
})

/** A PNG, JPEG or WebP by its magic bytes (SVG is refused: it can carry script). */
const imageBytes = vine.createRule(
  async (value: unknown, _options: undefined, field: FieldContext) => {
    const file = value as { tmpPath?: string } | undefined
    if (!file?.tmpPath) return
    const handle = await open(file.tmpPath, 'r')
    try {
      const head = new Uint8Array(12)
      await handle.read(head, 0, 12, 0)
      if (!sniffImage(head))
        field.report('The logo must be a PNG, JPEG or WebP image.', 'imageBytes', field)
    } finally {
      await handle.close()
    }
  }
)

const sportsList = vine.createRule((value: unknown, _options: undefined, field: FieldContext) => {
  if (typeof value !== 'string') return
  const sports = splitSports(value)
  if (sports.length === 0) return field.report('List at least one sport.', 'sportsList', field)
  const bad = sports.find((sport) => !SPORT_SLUG.test(sport) || sport.length > 40)
  if (bad) {
    return field.report(
      `"${bad}" is not a slug: use lower-case letters, digits and hyphens, like table-tennis.`,
      'sportsList',
      field
    )
  }
  const seen = new Set<string>()
  const duplicate = sports.find((sport) => (seen.has(sport) ? true : (seen.add(sport), false)))
  if (duplicate) return field.report(`"${duplicate}" is listed twice.`, 'sportsList', field)
  if (sports.length > SPORTS_MAX)
    field.report(`List at most ${SPORTS_MAX} sports.`, 'sportsList', field)
})

export const settingsValidator = vine.create({
  instanceName: vine.string().trim().minLength(1).maxLength(80),
  logo: vine
    .file({ size: `${LOGO_MAX_BYTES / 1024}kb` })
    .use(imageBytes())
    .optional(),
  removeLogo: vine.boolean().optional(),
  commissionPercent: vine
    .number({ strict: false })
    .min(0)
    .max(COMMISSION_MAX_PERCENT)
    .use(hundredths()),
  currency: vine
    .string()
    .trim()
    .toUpperCase()
    .in([...CURRENCIES]),
  priceMin: vine.number({ strict: false }).min(PRICE_MIN).max(PRICE_MAX).use(hundredths()),
  priceMax: vine
    .number({ strict: false })
    .min(PRICE_MIN)
    .max(PRICE_MAX)
    .use(hundredths())
    .use(notBelowMin()),
  sports: vine.string().trim().maxLength(4000).use(sportsList()),
  registration: vine.enum(['open', 'invite'] as const),
  rawRetentionDays: vine.number({ strict: false }).withoutDecimals().min(0).max(RETENTION_MAX_DAYS),
  withdrawalAckDays: vine.number({ strict: false }).withoutDecimals().min(1).max(ACK_MAX_DAYS),
})
settingsValidator.messagesProvider = layered(
  new SimpleMessagesProvider(
    {
      'instanceName.required': 'Give the instance a name.',
      'instanceName.minLength': 'Give the instance a name.',
      'logo.file': 'Choose an image file for the logo.',
      'logo.file.size': `The logo must be at most ${LOGO_MAX_BYTES / 1024} KB.`,
      'logo.size': `The logo must be at most ${LOGO_MAX_BYTES / 1024} KB.`,
      'commissionPercent.required': 'Enter the commission in percent, like 20.',
      'commissionPercent.number': 'Enter the commission as a number of percent, like 20 or 17.5.',
      'commissionPercent.min': 'The commission cannot be negative.',
      'commissionPercent.max': `The commission can be at most ${COMMISSION_MAX_PERCENT}%.`,
      'currency.required': 'Choose the currency prices are in.',
      'currency.in': `Choose one of ${CURRENCIES.join(', ')}.`,
      'priceMin.required': 'Enter the lowest price a paid dataset may have.',
      'priceMin.number': 'Enter the lowest price as an amount, like 10 or 9.99.',
      'priceMin.min': `The lowest price is at least ${PRICE_MIN.toFixed(2)} (Stripe's smallest charge).`,
      'priceMin.max': `Prices go up to ${PRICE_MAX}.`,
      'priceMax.required': 'Enter the highest price a dataset may have.',
      'priceMax.number': 'Enter the highest price as an amount, like 100 or 99.99.',
      'priceMax.min': `The highest price is at least ${PRICE_MIN.toFixed(2)}.`,
      'priceMax.max': `Prices go up to ${PRICE_MAX}.`,
      'sports.required': 'List at least one sport.',
      'sports.maxLength': 'The sports list is too long.',
      'registration.required': 'Choose open or invite-only registration.',
      'registration.enum': 'Choose open or invite-only registration.',
      'rawRetentionDays.required': 'Enter how many days originals are kept, or 0 to keep them.',
      'rawRetentionDays.number': 'Enter a whole number of days, or 0 to keep originals.',
      'rawRetentionDays.withoutDecimals': 'Enter a whole number of days, or 0 to keep originals.',
      'rawRetentionDays.min': 'Enter 0 to keep originals, or a number of days.',
      'rawRetentionDays.max': `Keep originals at most ${RETENTION_MAX_DAYS} days, or enter 0 to keep them.`,
      'withdrawalAckDays.required':
        'Enter how many days buyers have to confirm a withdrawal notice.',
      'withdrawalAckDays.number': 'Enter a whole number of days, like 30.',
      'withdrawalAckDays.withoutDecimals': 'Enter a whole number of days, like 30.',
      'withdrawalAckDays.min': 'Give buyers at least 1 day to confirm.',
      'withdrawalAckDays.max': `Flag unconfirmed notices after at most ${ACK_MAX_DAYS} days.`,
      'removeLogo.boolean': 'Tick or untick "remove the logo".',
    },
    { instanceName: 'Instance name' }
  )
)

/* The audit log's filters. */

export const auditFiltersValidator = vine.create({
  actor: vine.string().trim().maxLength(254).optional(),
  action: vine
    .string()
    .trim()
    .maxLength(100)
    .regex(/^[a-z0-9_.]+$/)
    .optional(),
  subjectType: vine
    .string()
    .trim()
    .maxLength(60)
    .regex(/^[a-z0-9_]+$/)
    .optional(),
  subjectId: vine.string().trim().maxLength(64).optional(),
  from: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
  to: vine
    .date({ formats: ['YYYY-MM-DD'] })
    .afterOrSameAs('from')
    .optional(),
  before: vine.number({ strict: false }).withoutDecimals().min(1).optional(),
})
auditFiltersValidator.messagesProvider = layered(
  new SimpleMessagesProvider(
    {
      'action.regex': 'An action looks like user.suspended, or user. for every user action.',
      'subjectType.regex': 'A subject type looks like user, clip or setting.',
      'from.date': 'Enter the first day as YYYY-MM-DD.',
      'to.date': 'Enter the last day as YYYY-MM-DD.',
      'to.afterOrSameAs': 'The last day must not be before the first day.',
      'before.number': 'That page link is broken: start from the newest entries.',
      'before.withoutDecimals': 'That page link is broken: start from the newest entries.',
      'before.min': 'That page link is broken: start from the newest entries.',
    },
    { subjectType: 'subject type', subjectId: 'subject id' }
  )
)
