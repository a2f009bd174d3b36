import { FeatureError, defineErrors } from '#app/core/errors'

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
