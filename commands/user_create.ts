import { randomBytes } from 'node:crypto'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { USER_ROLES, type UserRole } from '#models/user'
import { errors as vineErrors } from '@vinejs/vine'

/**
 * Creates an account from the command line; `--admin` is how an operator makes the first
 * administrator without a browser.
 */
export default class UserCreate extends BaseCommand {
  static commandName = 'user:create'
  static description = 'Create an account (use --admin for an administrator)'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'E-mail address', required: true })
  declare email: string

  @flags.string({ description: 'Full name', default: 'Administrator' })
  declare name: string

  @flags.boolean({ description: 'Create an administrator' })
  declare admin: boolean

  @flags.string({ description: 'creator | buyer (ignored with --admin)', default: 'creator' })
  declare role: string

  @flags.string({ description: 'Company name (buyers)' })
  declare company?: string

  @flags.string({ description: 'Password; a random one is generated and printed when omitted' })
  declare password?: string

  async run() {
    const role = (this.admin ? 'admin' : this.role) as UserRole
    if (!USER_ROLES.includes(role)) {
      this.logger.error(`Unknown role "${this.role}". Use creator or buyer, or --admin.`)
      this.exitCode = 1
      return
    }
    const password = this.password ?? randomBytes(12).toString('base64url')
    const input = {
      fullName: this.name,
      email: this.email,
      password,
      passwordConfirmation: password,
      role,
      companyName: this.company,
    }
    // Imported here, not at the top: ace loads command files before the Lucid provider
    // registers VineJS's database rules that the validators use.
    const { adminSetupValidator, signupValidator } = await import('#app/accounts/validators')
    const { AccountService } = await import('#app/accounts/account_service')
    try {
      const data =
        role === 'admin'
          ? { ...(await adminSetupValidator.validate(input)), role, companyName: null }
          : await signupValidator.validate(input)
      const accounts = await this.app.container.make(AccountService)
      const user = await accounts.register(data)
      this.logger.success(`Created ${user.role} ${user.email} (id ${user.id})`)
      if (!this.password) this.logger.info(`Password: ${password}  (change it after logging in)`)
    } catch (error) {
      if (error instanceof vineErrors.E_VALIDATION_ERROR) {
        for (const message of error.messages)
          this.logger.error(`${message.field}: ${message.message}`)
        this.exitCode = 1
        return
      }
      throw error
    }
  }
}
