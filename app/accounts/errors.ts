import { FeatureError, defineErrors } from '#app/core/errors'
import type { LoginResult } from '#app/accounts/account_service'
import type { CreateTokenResult } from '#app/accounts/api_token_service'

/** accounts/' refusals: each has its own page, whose subtitle is the sentence. */
export class AccountError extends FeatureError<AccountErrorCode> {}

export const accountErrors = defineErrors(AccountError, {
  E_INVITATION_INVALID: {
    status: 410,
    page: 'pages/invitations/invalid',
    sentence:
      'It has been used, revoked, or has expired. Ask the administrator who invited you for a new one.',
  },
  E_RESET_TOKEN_INVALID: {
    status: 410,
    page: 'pages/auth/reset_link_invalid',
    sentence: 'Reset links work once, for one hour.',
  },
  E_REGISTRATION_CLOSED: {
    status: 403,
    page: 'pages/auth/registration_closed',
    sentence: ({ instance }: { instance: string }) =>
      `${instance} does not accept new accounts on its own. Ask its administrator for an invitation, and open the link it contains.`,
  },
})
export type AccountErrorCode =
  'E_INVITATION_INVALID' | 'E_RESET_TOKEN_INVALID' | 'E_REGISTRATION_CLOSED'

type Refusal<Result, Code> = Extract<Result, { code: Code }>

/**
 * Why a login or a password change was refused. The service returns the login's refusal as a
 * value and a wrong current password as false; the controllers flash the sentence, or show it
 * under the field.
 */
export class CredentialError extends FeatureError<
  Exclude<LoginResult, { ok: true }>['code'] | 'E_WRONG_PASSWORD'
> {}

export const credentialErrors = defineErrors(CredentialError, {
  E_INVALID_CREDENTIALS: { status: 401, sentence: 'Incorrect e-mail or password.' },
  E_ACCOUNT_SUSPENDED: {
    status: 403,
    sentence: 'Your account is suspended. Contact an administrator of this instance.',
  },
  E_WRONG_PASSWORD: { status: 422, sentence: 'Your current password is not correct.' },
})

/** Why an API token was not created or revoked (a token of someone else reads as absent). */
export class TokenError extends FeatureError<
  Exclude<CreateTokenResult, { ok: true }>['code'] | 'E_TOKEN_NOT_FOUND'
> {}

export const tokenErrors = defineErrors(TokenError, {
  E_TOO_MANY_TOKENS: {
    status: 409,
    sentence: ({ max }: Refusal<CreateTokenResult, 'E_TOO_MANY_TOKENS'>) =>
      `You already have ${max} live tokens. Revoke one you no longer use first.`,
  },
  E_TOKEN_NOT_FOUND: { status: 404, sentence: 'No such token among yours; nothing changed.' },
})

/** Why a signed-in device was not signed out (a session of someone else reads as absent). */
export class SessionError extends FeatureError<'E_SESSION_NOT_FOUND'> {}

export const sessionErrors = defineErrors(SessionError, {
  E_SESSION_NOT_FOUND: { status: 404, sentence: 'No such session among yours; nothing changed.' },
})
