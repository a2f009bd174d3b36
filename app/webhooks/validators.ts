import { layered } from '#app/core/validation_messages'
import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import { WEBHOOK_URL_MAX } from '#app/webhooks/webhook_url'
import { webhookUrlErrors } from '#app/webhooks/errors'

const missing = webhookUrlErrors.sentence('E_URL_MISSING')

/** The webhook form; WebhookService.save says what else is wrong with the URL (by its code). */
export const webhookValidator = vine.create({
  url: vine.string().trim().maxLength(WEBHOOK_URL_MAX),
})
webhookValidator.messagesProvider = layered(
  new SimpleMessagesProvider({
    'url.required': missing,
    'url.string': missing,
    'url.maxLength': webhookUrlErrors.sentence('E_URL_TOO_LONG', { max: WEBHOOK_URL_MAX }),
  })
)
