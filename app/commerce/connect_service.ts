import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import User from '#models/user'
import { PaymentError, StripeService, type ConnectStatus } from '#app/core/stripe_service'
import { CreatorTransfers } from '#app/commerce/creator_transfers'

/** Where a creator stands with Stripe Connect, as the dashboard's card shows it. */
export interface ConnectCard {
  /** Stripe keys (and the webhook secret that status updates need) are set. */
  configured: boolean
  status: ConnectStatus
  accountId: string | null
}

/** Why a creator was not sent to Stripe, or Stripe's answer was not read (app/commerce/errors.ts). */
export type ConnectRefusal =
  | { ok: false; code: 'E_NOT_CONFIGURED' }
  | { ok: false; code: 'E_NO_ACCOUNT' }
  /** `message`: what Stripe's refusal means, as app/core/stripe_service.ts words it. */
  | { ok: false; code: 'E_STRIPE'; message: string }

export type OnboardingResult = { ok: true; url: string } | ConnectRefusal

export type ReturnResult =
  { ok: true; status: ConnectStatus; becameReady: boolean } | ConnectRefusal

/**
 * Stripe Connect Express onboarding for creators. The account is created once per creator
 * (under the user's row lock, with an idempotency key, so a double click or a retry after a
 * lost answer finds the same account); onboarding links are single-use and short-lived, so a
 * fresh one is made on every visit. The `account.updated` webhook stays the source of truth
 * for the status; the return page reads the account too, so the creator does not wait for it.
 */
@inject()
export class ConnectService {
  constructor(
    protected stripe: StripeService,
    protected transfers: CreatorTransfers
  ) {}

  card(creator: User): ConnectCard {
    return {
      configured: this.stripe.configured,
      status: creator.stripeAccountStatus,
      accountId: creator.stripeAccountId,
    }
  }

  /** The onboarding link to send the creator to, creating their account on the first call. */
  async start(creator: User): Promise<OnboardingResult> {
    if (!this.stripe.configured) return { ok: false, code: 'E_NOT_CONFIGURED' }
    return this.#guard(async () => ({
      ok: true,
      url: await this.#link(await this.#ensureAccount(creator)),
    }))
  }

  /** Stripe's refresh_url: the last link expired or was used; a new one for the same account. */
  async refresh(creator: User): Promise<OnboardingResult> {
    if (!this.stripe.configured) return { ok: false, code: 'E_NOT_CONFIGURED' }
    if (!creator.stripeAccountId) return { ok: false, code: 'E_NO_ACCOUNT' }
    const accountId = creator.stripeAccountId
    return this.#guard(async () => ({ ok: true, url: await this.#link(accountId) }))
  }

  /**
   * Stripe's return_url: the account as Stripe sees it now, mirrored on the user. A creator
   * who became ready here gets their pending transfers sent, as the webhook would have done
   * (it will find the status already ready and not send them again).
   */
  async finish(creator: User): Promise<ReturnResult> {
    if (!this.stripe.configured) return { ok: false, code: 'E_NOT_CONFIGURED' }
    const accountId = creator.stripeAccountId
    if (!accountId) return { ok: false, code: 'E_NO_ACCOUNT' }
    let account
    try {
      account = await this.stripe.retrieveAccount(accountId)
    } catch (error) {
      if (error instanceof PaymentError)
        return { ok: false, code: 'E_STRIPE', message: error.message }
      throw error
    }
    const status = StripeService.connectStatus(account)
    const becameReady = await db.transaction(async (trx) => {
      const row = await User.query({ client: trx })
        .where('id', creator.id)
        .forUpdate()
        .firstOrFail()
      // Disconnected meanwhile (an admin, another tab): this account is no longer theirs.
      if (row.stripeAccountId !== accountId) return false
      const flipped = status === 'ready' && row.stripeAccountStatus !== 'ready'
      row.stripeAccountStatus = status
      await row.save()
      return flipped
    })
    creator.stripeAccountStatus = status
    if (becameReady) await this.transfers.sendPendingTransfersOf(creator.id)
    return { ok: true, status, becameReady }
  }

  async #ensureAccount(creator: User) {
    const outcome = await db.transaction(async (trx) => {
      const row = await User.query({ client: trx })
        .where('id', creator.id)
        .forUpdate()
        .firstOrFail()
      if (row.stripeAccountId) return { accountId: row.stripeAccountId }
      // Read apart from the model: only this service uses the counter.
      const { stripe_connect_refusals: refusals } = await trx
        .from('users')
        .where('id', row.id)
        .select('stripe_connect_refusals')
        .firstOrFail()
      try {
        const account = await this.stripe.createExpressAccount(
          {
            email: row.email,
            capabilities: { transfers: { requested: true } },
            metadata: { user_id: String(row.id) },
          },
          refusals ? `connect-account-user-${row.id}-${refusals}` : `connect-account-user-${row.id}`
        )
        row.merge({
          stripeAccountId: account.id,
          stripeAccountStatus: StripeService.connectStatus(account),
        })
        await row.save()
        logger.info({ userId: row.id, accountId: account.id }, 'stripe express account created')
        return { accountId: account.id, status: row.stripeAccountStatus }
      } catch (error) {
        if (!(error instanceof PaymentError)) throw error
        // A refusal made no account and spends the key; a timeout may have made one and keeps it.
        if (error.code === 'E_STRIPE_REFUSED' || error.code === 'E_STRIPE_AUTH') {
          await trx.from('users').where('id', row.id).increment('stripe_connect_refusals', 1)
        }
        return { error }
      }
    })
    if ('error' in outcome) throw outcome.error
    if (outcome.status)
      creator.merge({ stripeAccountId: outcome.accountId, stripeAccountStatus: outcome.status })
    return outcome.accountId
  }

  async #link(accountId: string) {
    const base = env.get('APP_URL').replace(/\/$/, '')
    const link = await this.stripe.createAccountLink({
      account: accountId,
      type: 'account_onboarding',
      refresh_url: `${base}/creator/stripe/refresh`,
      return_url: `${base}/creator/stripe/return`,
    })
    return link.url
  }

  async #guard(run: () => Promise<OnboardingResult>): Promise<OnboardingResult> {
    try {
      return await run()
    } catch (error) {
      if (error instanceof PaymentError)
        return { ok: false, code: 'E_STRIPE', message: error.message }
      throw error
    }
  }
}
