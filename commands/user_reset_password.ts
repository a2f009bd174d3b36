import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { errors as vineErrors } from '@vinejs/vine'

/**
 * Password reset for instances without SMTP: prints a one-time link for the operator to
 * hand over, or sets the password directly with --password.
 */
export default class UserResetPassword extends BaseCommand {
  static commandName = 'user:reset-password'
  static description = 'Print a one-time password-reset link for an account (or set --password)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'E-mail of the account' })
  declare email: string

  @flags.string({ description: 'Set this password now instead of printing a link' })
  declare password?: string

  async run() {
    // Imported here, not at the top: ace loads command files before the providers boot.
    const { default: User } = await import('#models/user')
    const { AccountService, RESET_TOKEN_TTL_MINUTES } =
      await import('#app/accounts/account_service')
    const { PasswordResetService } = await import('#app/accounts/password_reset_service')
    const { resetPasswordValidator } = await import('#app/accounts/validators')
    const user = await User.findBy('email', this.email)
    if (!user) {
      this.logger.error(`No account uses ${this.email}.`)
      this.exitCode = 1
      return
    }
    const accounts = await this.app.container.make(AccountService)
    const token = await accounts.createResetToken(user)

    if (this.password !== undefined) {
      try {
        await resetPasswordValidator.validate({
          password: this.password,
          passwordConfirmation: this.password,
        })
      } catch (error) {
        if (error instanceof vineErrors.E_VALIDATION_ERROR) {
          this.logger.error(error.messages[0].message)
          this.exitCode = 1
          return
        }
        throw error
      }
      await accounts.resetPassword(token, this.password)
      this.logger.success(
        `Password changed for ${user.email}; every session of the account is signed out.`
      )
      return
    }

    const resets = await this.app.container.make(PasswordResetService)
    this.logger.success(
      `Reset link for ${user.email} (valid ${RESET_TOKEN_TTL_MINUTES} minutes, once):`
    )
    this.logger.log(resets.linkFor(token))
  }
}
