import '#app/core/validation_messages'
import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import { email } from '#app/accounts/public'
import { LICENCE_TYPES } from '#models/dataset'

/** An admin's licence grant: which buyer (by e-mail), which dataset version, and why. */
export const licenceGrantValidator = vine.create({
  email: email(),
  versionId: vine.string().trim().uuid(),
  note: vine.string().trim().maxLength(500).optional(),
})
licenceGrantValidator.messagesProvider = new SimpleMessagesProvider(
  {
    'email.required': "Enter the buyer's e-mail address.",
    'email.email': 'Enter a valid e-mail address, like name@company.com.',
    'versionId.required': 'Enter the id of the dataset version to grant.',
    'versionId.uuid': 'A dataset version id looks like 0b9c…-…; copy it from the dataset page.',
    'note.maxLength': 'Keep the note under {{ max }} characters.',
  },
  { email: 'e-mail', versionId: 'dataset version', note: 'note' }
)

/** An admin's new licence text version: for which licence type, its title and Markdown body. */
export const licenceTextValidator = vine.create({
  licenceType: vine.enum(LICENCE_TYPES),
  title: vine.string().trim().minLength(3).maxLength(200),
  body: vine.string().trim().minLength(50).maxLength(100_000),
})
licenceTextValidator.messagesProvider = new SimpleMessagesProvider(
  {
    'licenceType.required': 'Choose which licence type this text is for.',
    'licenceType.enum': 'Choose which licence type this text is for: research or commercial.',
    'title.required': 'Give the text a title.',
    'title.minLength': 'The title must be at least {{ min }} characters.',
    'title.maxLength': 'Keep the title under {{ max }} characters.',
    'body.required': 'Write the text buyers will agree to.',
    'body.minLength': 'The text must be at least {{ min }} characters.',
    'body.maxLength': 'The text must be at most {{ max }} characters.',
  },
  { licenceType: 'licence type', title: 'title', body: 'text' }
)
