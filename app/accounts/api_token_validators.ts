import '#app/core/validation_messages'
import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import { API_SCOPE_NAMES, TOKEN_EXPIRIES } from '#app/accounts/api_token_service'

/** A new API token: a name to recognise it by, at least one scope, and a lifetime. */
export const apiTokenValidator = vine.create({
  name: vine.string().trim().minLength(1).maxLength(80),
  scopes: vine.array(vine.enum(API_SCOPE_NAMES)).minLength(1).distinct(),
  expiry: vine.enum(TOKEN_EXPIRIES),
})
apiTokenValidator.messagesProvider = new SimpleMessagesProvider(
  {
    'name.required': 'Name the token after what uses it, like “training pipeline”.',
    'name.minLength': 'Name the token after what uses it, like “training pipeline”.',
    'name.maxLength': 'Keep the name under {{ max }} characters.',
    'scopes.required': 'Tick at least one scope: what the token may do.',
    'scopes.array': 'Tick at least one scope: what the token may do.',
    'scopes.minLength': 'Tick at least one scope: what the token may do.',
    'scopes.*.enum': 'Choose scopes from the list.',
    'scopes.distinct': 'Tick each scope once.',
    'expiry.required': 'Choose how long the token stays valid.',
    'expiry.enum': 'Choose how long the token stays valid: 30 days, 90 days, a year, or no expiry.',
  },
  { name: 'name', scopes: 'scopes', expiry: 'expiry' }
)
