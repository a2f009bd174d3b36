import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import mail from '@adonisjs/mail/services/main'
import env from '#start/env'
import config from '#config/athera'
import User from '#models/user'
import { AccountService, RESET_TOKEN_TTL_MINUTES } from '#app/accounts/account_service'

/**
 * Password resets. With SMTP configured the link goes by e-mail; without it, an operator
 * issues one with `node ace user:reset-password` and hands it over.
 */
@inject()
export class PasswordResetService {
  constructor(protected accounts: AccountService) {}

  get mailEnabled() {
    return config.mail.enabled
  }

  linkFor(token: string) {
    return new URL(`/password/reset/${token}`, env.get('APP_URL')).toString()
  }

  /** Issues and e-mails a link when the address has an active account; silent otherwise. */
  async request(email: string) {
    if (!this.mailEnabled) return
    const user = await User.findBy('email', email)
    if (!user || user.isSuspended) return
    const link = this.linkFor(await this.accounts.createResetToken(user))
    try {
      await mail.send((message) => {
        message
          .to(user.email)
          .subject('Reset your Athera password')
          .htmlView('emails/password_reset', { user, link, minutes: RESET_TOKEN_TTL_MINUTES })
      })
    } catch (error) {
      // The page answers the same either way; the operator sees why mail failed.
      logger.error({ err: error, userId: user.id }, 'password reset e-mail could not be sent')
    }
  }

  isValid(token: string) {
    return this.accounts.isResetTokenValid(token)
  }

  reset(token: string, password: string) {
    return this.accounts.resetPassword(token, password)
  }
}
