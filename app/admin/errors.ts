import { FeatureError, defineErrors } from '#app/core/errors'
import type { SaveResult } from '#app/admin/instance_settings_service'
import type {
  AcceptInvitationResult,
  CreateInvitationResult,
  RevokeInvitationResult,
} from '#app/admin/invitation_service'
import type { UserActionResult } from '#app/admin/user_admin_service'

/*
 * admin/'s refusals. The services return them as values (`{ ok: false, code, … }`, what the
 * sentence names); the controllers flash the sentence, or show it under the form's field. A
 * logo that is not the current one is raised as a 404.
 */

type Refusal<Result, Code> = Extract<Result, { code: Code }>

/** Why an account's role or suspension was not changed. */
export class UserAdminError extends FeatureError<UserRefusal['code']> {}
type UserRefusal = Exclude<UserActionResult, { ok: true }>

export const userAdminErrors = defineErrors(UserAdminError, {
  E_NOT_ADMIN: { status: 403, sentence: 'Your account is no longer an active admin.' },
  E_NOT_FOUND: { status: 404, sentence: 'No account has this id.' },
  E_LAST_ADMIN: {
    status: 409,
    sentence: ({ action }: Refusal<UserActionResult, 'E_LAST_ADMIN'>) =>
      action === 'suspend'
        ? 'This is the last active admin: it cannot be suspended.'
        : 'This is the last active admin: make someone else admin first.',
  },
  E_SELF: {
    status: 409,
    sentence: ({ action }: Refusal<UserActionResult, 'E_SELF'>) =>
      action === 'suspend'
        ? 'You cannot suspend yourself: ask another admin.'
        : 'You cannot change your own role: ask another admin.',
  },
})

/** Why an admin's invitation was not created or revoked. */
export class InvitationError extends FeatureError<InvitationRefusal['code']> {}
type InvitationRefusal = Exclude<CreateInvitationResult | RevokeInvitationResult, { ok: true }>

export const invitationErrors = defineErrors(InvitationError, {
  E_ACCOUNT_EXISTS: {
    status: 409,
    sentence: ({ email }: Refusal<CreateInvitationResult, 'E_ACCOUNT_EXISTS'>) =>
      `${email} already has an account: no invitation needed.`,
  },
  E_NOT_FOUND: { status: 404, sentence: 'No invitation has this id.' },
  E_NOT_PENDING: {
    status: 409,
    sentence: ({ state }: Refusal<RevokeInvitationResult, 'E_NOT_PENDING'>) =>
      `This invitation is already ${state}.`,
  },
})

/**
 * Why an invitation link did not create an account. The signup pages answer an unusable link
 * with accounts/' E_INVITATION_INVALID page; this sentence is the service's own word for it.
 */
export class InvitationSignupError extends FeatureError<SignupRefusal['code']> {}
type SignupRefusal = Exclude<AcceptInvitationResult, { ok: true }>

export const invitationSignupErrors = defineErrors(InvitationSignupError, {
  E_INVITATION_INVALID: {
    status: 410,
    sentence: 'This invitation link is used, revoked or expired.',
  },
  E_ACCOUNT_EXISTS: {
    status: 409,
    sentence: ({ email }: Refusal<AcceptInvitationResult, 'E_ACCOUNT_EXISTS'>) =>
      `${email} already has an account. Log in instead.`,
  },
})

/** Why the instance settings were not saved, or a logo is not served. */
export class SettingsError extends FeatureError<SettingsRefusal['code'] | 'E_LOGO_NOT_FOUND'> {}
type SettingsRefusal = Exclude<SaveResult, { ok: true }>

export const settingsErrors = defineErrors(SettingsError, {
  E_LOGO_UNREADABLE: { status: 422, sentence: 'The logo must be a PNG, JPEG or WebP image.' },
  E_LOGO_STORAGE: {
    status: 503,
    sentence:
      'The logo could not be stored: object storage did not answer. Nothing was saved; try again.',
  },
  E_LOGO_NOT_FOUND: { status: 404, sentence: 'No logo has this id.' },
})
