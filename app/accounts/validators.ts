import { PASSWORD_MIN_LENGTH } from '#app/core/validation_messages'
import vine from '@vinejs/vine'
import { SIGNUP_ROLES } from '#models/user'

/*
 * Rule factories shared by every form that handles people's accounts, so the same field
 * is validated the same way on sign-up, first-run setup and the CLI.
 */
export { PASSWORD_MIN_LENGTH }

export const email = () => vine.string().trim().maxLength(254).email()
export const newEmail = () => email().unique({ table: 'users', column: 'email' })
export const newPassword = () => vine.string().minLength(PASSWORD_MIN_LENGTH).maxLength(128)
export const fullName = () => vine.string().trim().minLength(2).maxLength(120)
/** A buyer's company: optional here, each form says when it is required. */
export const companyName = () => vine.string().trim().minLength(2).maxLength(160).optional()

export const signupValidator = vine.create({
  fullName: fullName(),
  email: newEmail(),
  password: newPassword().confirmed({ as: 'passwordConfirmation' }),
  role: vine.enum(SIGNUP_ROLES),
  companyName: companyName().requiredWhen('role', '=', 'buyer'),
})

export const loginValidator = vine.create({
  email: vine.string().trim().maxLength(254),
  password: vine.string().maxLength(128),
  rememberMe: vine.boolean().optional(),
})

export const adminSetupValidator = vine.create({
  fullName: fullName(),
  email: newEmail(),
  password: newPassword().confirmed({ as: 'passwordConfirmation' }),
})

/** The first-run form: an admin's fields and the setup token printed in the server log. */
export const firstRunValidator = vine.create({
  setupToken: vine.string().trim().maxLength(100),
  fullName: fullName(),
  email: newEmail(),
  password: newPassword().confirmed({ as: 'passwordConfirmation' }),
})

export const passwordChangeValidator = vine.create({
  currentPassword: vine.string().maxLength(128),
  password: newPassword().confirmed({ as: 'passwordConfirmation' }),
})

export const forgotPasswordValidator = vine.create({
  email: email(),
})

export const resetPasswordValidator = vine.create({
  password: newPassword().confirmed({ as: 'passwordConfirmation' }),
})
