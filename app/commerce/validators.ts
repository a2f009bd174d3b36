import '#app/core/validation_messages'
import vine, { SimpleMessagesProvider } from '@vinejs/vine'

/** An admin's refund request: the reason is kept in the audit log and sent to Stripe. */
export const refundRequestValidator = vine.create({
  reason: vine.string().trim().minLength(3).maxLength(500),
})
refundRequestValidator.messagesProvider = new SimpleMessagesProvider(
  {
    'reason.required': 'Say why the order is refunded; the reason is kept in the audit log.',
    'reason.minLength':
      'Say why the order is refunded in a few words (at least {{ min }} characters).',
    'reason.maxLength': 'Keep the reason under {{ max }} characters.',
  },
  { reason: 'reason' }
)
