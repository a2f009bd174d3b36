import '#validators/messages'
import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import { email } from '#validators/user'

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
