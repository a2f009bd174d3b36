import '#app/core/validation_messages'
import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import type { FieldContext, MessagesProviderContact } from '@vinejs/vine/types'
import { CONSENT_SCOPES, CONSENT_SUBJECTS, CONSENT_USAGES } from '#models/consent_record'

/*
 * The consent form and the admin's consent-text form. Their messages are specific (a guardian,
 * a scope, a signature), so these validators carry their own, and fall back to the shared
 * ones for anything not listed here.
 */

const shared = vine.messagesProvider
const own = new SimpleMessagesProvider(
  {
    'textId.required': 'The form lost track of the consent text; reload the page and sign again.',
    'textId.number': 'The form lost track of the consent text; reload the page and sign again.',
    'subject.required': 'Say whom this consent is for.',
    'subject.enum': 'Say whom this consent is for.',
    'athleteCount.number': 'Enter how many athletes are shown, as a number.',
    'athleteCount.withoutDecimals': 'Enter how many athletes are shown, as a whole number.',
    'athleteCount.min': 'At least one athlete is shown.',
    'athleteCount.max': 'Give consent for at most {{ max }} athletes on one form.',
    'guardianName.required': 'A person under 16 needs a parent or guardian: enter their full name.',
    'guardianRelationship.required':
      'Say how the guardian is related to the minor (for example: mother, legal guardian).',
    'guardianName.onlyForMinor':
      'A guardian is named only when the consent is for a minor; clear the guardian fields or choose “a minor”.',
    'guardianRelationship.onlyForMinor':
      'A guardian is named only when the consent is for a minor; clear the guardian fields or choose “a minor”.',
    'scopes.required': 'Consent to processing is needed for any upload: tick it.',
    'scopes.includesProcessing': 'Consent to processing is needed for any upload: tick it.',
    'scopes.*.enum': 'Choose scopes from the list.',
    'usage.required': 'Choose what the clips may be licensed for.',
    'usage.enum': 'Choose what the clips may be licensed for.',
    'signature.required': 'Type your full name as your signature.',
    'signature.minLength': 'Type your full name as your signature.',
    'signature.maxLength': 'A signature is at most {{ max }} characters.',
    'agree.accepted': 'Tick “I agree” to give your consent.',
    'agree.required': 'Tick “I agree” to give your consent.',
    'title.required': 'Give the text a title.',
    'body.required': 'Write the text people will agree to.',
    'body.minLength': 'The text must be at least {{ min }} characters.',
    'reason.maxLength': 'Keep the reason under {{ max }} characters.',
  },
  { title: 'title', body: 'text' }
)
const MISSING = '\u0000no-message'

/** This file's messages first, then the shared ones. */
const messagesProvider: MessagesProviderContact = {
  getMessage(defaultMessage, rule, field, args) {
    const message = own.getMessage(MISSING, rule, field, args)
    return message === MISSING ? shared.getMessage(defaultMessage, rule, field, args) : message
  },
}

/** Guardian fields are evidence for a minor's consent; for anyone else they would mislead. */
const onlyForMinor = vine.createRule(
  (_value: unknown, _options: undefined, field: FieldContext) => {
    if (field.parent?.subject !== 'minor') field.report('', 'onlyForMinor', field)
  }
)

const includesProcessing = vine.createRule(
  (value: unknown, _options: undefined, field: FieldContext) => {
    if (!Array.isArray(value) || !value.includes('processing'))
      field.report('', 'includesProcessing', field)
  }
)

const guardianField = (max: number) =>
  vine
    .string()
    .trim()
    .minLength(2)
    .maxLength(max)
    .optional()
    .requiredWhen('subject', '=', 'minor')
    .use(onlyForMinor())

export const grantValidator = vine.create({
  textId: vine.number().withoutDecimals().positive(),
  subject: vine.enum(CONSENT_SUBJECTS),
  athleteCount: vine.number().withoutDecimals().min(1).max(500).optional(),
  guardianName: guardianField(160),
  guardianRelationship: guardianField(80),
  // One ticked box arrives as a string, several as an array.
  scopes: vine
    .array(vine.enum(CONSENT_SCOPES))
    .parse((value) => (typeof value === 'string' ? [value] : value))
    .distinct()
    .use(includesProcessing()),
  usage: vine.enum(CONSENT_USAGES),
  signature: vine.string().trim().minLength(2).maxLength(160),
  agree: vine.accepted(),
})
grantValidator.messagesProvider = messagesProvider

export const consentTextValidator = vine.create({
  title: vine.string().trim().minLength(3).maxLength(200),
  body: vine.string().trim().minLength(50).maxLength(100_000),
})
consentTextValidator.messagesProvider = messagesProvider

export const withdrawalValidator = vine.create({
  reason: vine.string().trim().maxLength(500).optional(),
  scope: vine.enum(['all', 'licensing'] as const).optional(),
})
withdrawalValidator.messagesProvider = messagesProvider
