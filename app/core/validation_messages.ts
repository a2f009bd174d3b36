/*
 * Validation messages people read on the forms. VineJS's defaults name the rule; these
 * say what to do. A validator keeps the provider it was created with, so every validator
 * file imports this module first.
 */
import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import type { MessagesProviderContact } from '@vinejs/vine/types'

export const PASSWORD_MIN_LENGTH = 10

vine.messagesProvider = new SimpleMessagesProvider(
  {
    'required': 'Enter your {{ field }}.',
    'email': 'Enter a valid e-mail address, like name@club.org.',
    'database.unique': 'An account with this {{ field }} already exists. Log in instead.',
    'password.minLength': `Use at least ${PASSWORD_MIN_LENGTH} characters.`,
    'minLength': '{{ field }} must be at least {{ min }} characters.',
    'maxLength': '{{ field }} must be at most {{ max }} characters.',
    'confirmed': 'The two passwords do not match.',
    'enum': 'Choose one of the listed options.',
    'role.enum': 'Choose whether you are a creator or a buyer.',
    'role.required': 'Choose whether you are a creator or a buyer.',
    'companyName.required': 'Buyers sign up as a company: enter its name.',
    'boolean': 'Tick or untick {{ field }}.',
  },
  {
    fullName: 'full name',
    email: 'e-mail',
    companyName: 'company name',
    currentPassword: 'current password',
    password: 'password',
  }
)

const MISSING = '\u0000no-message'

/**
 * A validator's own messages first, then the shared ones above: a form with wording of its
 * own (dataset prices, instance settings) still gets the shared sentences for the rest.
 */
export function layered(own: SimpleMessagesProvider): MessagesProviderContact {
  const shared = vine.messagesProvider
  return {
    getMessage(defaultMessage, rule, field, args) {
      const message = own.getMessage(MISSING, rule, field, args)
      return message === MISSING ? shared.getMessage(defaultMessage, rule, field, args) : message
    },
  }
}
