import { layered } from '#app/core/validation_messages'
import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import { WEBHOOK_URL_MAX } from '#app/webhooks/webhook_url'

/** The webhook form; WebhookService.save says what else is wrong with the URL, in a sentence. */
export const webhookValidator = vine.create({
  url: vine.string().trim().maxLength(WEBHOOK_URL_MAX),
})
webhookValidator.messagesProvider = layered(
  new SimpleMessagesProvider({
    'url.required': 'Enter the URL that should receive the events.',
    'url.string': 'Enter the URL that should receive the events.',
    'url.maxLength': `The URL is too long (at most ${WEBHOOK_URL_MAX} characters).`,
  })
)
