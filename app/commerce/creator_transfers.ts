import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Order from '#models/order'
import Transfer from '#models/transfer'
import User from '#models/user'
import { LedgerService } from '#app/commerce/ledger_service'
import { PaymentError, StripeService } from '#app/core/stripe_service'

/** A dispute Stripe has not decided yet (Stripe's closed statuses are won, lost, warning_closed). */
export function disputeOpen(status: string | null) {
  return status !== null && !['won', 'lost', 'warning_closed'].includes(status)
}

/**
 * A sale's transfers to its creators: sent once the order is paid, undisputed and the
 * creator's account ready (at the sale, when the account turns ready, on schedule, or by an
 * admin), and given back when the money goes back to the buyer.
 */
@inject()
export class CreatorTransfers {
  constructor(
    protected stripe: StripeService,
    protected ledger: LedgerService
  ) {}

  /** Sends every pending transfer of an order whose creator's account is ready. */
  async sendTransfers(orderId: string) {
    const pending = await Transfer.query()
      .where('order_id', orderId)
      .where('status', 'pending')
      .orderBy('id')
    for (const transfer of pending) await this.sendTransfer(transfer.id)
  }

  /** Sends a creator's pending transfers (their account has just become ready). */
  async sendPendingTransfersOf(creatorId: number) {
    const pending = await Transfer.query()
      .where('creator_id', creatorId)
      .where('status', 'pending')
      .orderBy('id')
    for (const transfer of pending) await this.sendTransfer(transfer.id)
  }

  /**
   * Every pending transfer that could go now (paid order, no open dispute, creator's account
   * ready), for the scheduled retry: a transfer refused or timed out at the sale is otherwise
   * only retried on an event (the creator's account turning ready) or by an admin. Each goes
   * through `sendTransfer`, so with the same idempotency key as its last attempt.
   */
  async retryPendingTransfers(limit = 200) {
    const rows: { id: number }[] = await db
      .from('transfers')
      .join('orders', 'orders.id', 'transfers.order_id')
      .join('users', 'users.id', 'transfers.creator_id')
      .where('transfers.status', 'pending')
      .where('orders.status', 'paid')
      .where('users.stripe_account_status', 'ready')
      .whereNotNull('users.stripe_account_id')
      .orderBy('transfers.id')
      .limit(limit)
      .select('transfers.id')
    let sent = 0
    for (const row of rows) {
      await this.sendTransfer(row.id)
      const after = await Transfer.find(row.id)
      if (after?.status === 'paid') sent += 1
    }
    return { tried: rows.length, sent }
  }

  /**
   * One transfer, funded by the order's charge (`source_transaction`, so it never waits for
   * the available balance). The idempotency key makes a retry return the same Stripe transfer.
   * A refusal is kept on the row and the share stays a pending balance; it also spends the key
   * (Stripe would replay the refusal to it), so the next attempt, an admin's retry, can succeed.
   * `onAttempt` runs in the same transaction after Stripe answered (the admin's audit row).
   */
  async sendTransfer(
    transferId: number,
    onAttempt?: (transfer: Transfer, trx: TransactionClientContract) => Promise<void>
  ) {
    await db.transaction(async (trx) => {
      const transfer = await Transfer.query({ client: trx })
        .where('id', transferId)
        .forUpdate()
        .firstOrFail()
      const order = await Order.query({ client: trx })
        .where('id', transfer.orderId)
        .forUpdate()
        .firstOrFail()
      // A disputed order's shares wait for the verdict: a lost dispute takes the money back.
      if (
        transfer.status !== 'pending' ||
        order.status !== 'paid' ||
        disputeOpen(order.disputeStatus)
      )
        return
      const creator = await User.findOrFail(transfer.creatorId, { client: trx })
      if (creator.stripeAccountStatus !== 'ready' || !creator.stripeAccountId) return
      try {
        const sent = await this.stripe.createTransfer(
          {
            amount: transfer.amountCents,
            currency: transfer.currency.toLowerCase(),
            destination: creator.stripeAccountId,
            source_transaction: transfer.sourceTransaction ?? order.stripeChargeId ?? undefined,
            transfer_group: `order_${order.id}`,
            metadata: { order_id: order.id, transfer_id: String(transfer.id) },
          },
          transfer.refusals
            ? `transfer-${transfer.id}-${transfer.refusals}`
            : `transfer-${transfer.id}`
        )
        transfer.merge({ status: 'paid', stripeTransferId: sent.id, failureReason: null })
        await transfer.save()
        await this.ledger.recordTransfer(transfer, trx)
      } catch (error) {
        if (!(error instanceof PaymentError)) throw error
        logger.warn(
          { transferId, orderId: order.id, code: error.code },
          'transfer left pending: %s',
          error.message
        )
        transfer.failureReason = error.message
        // Only a refusal spends the key: after a timeout Stripe may have made the transfer,
        // and the same key returns it instead of paying twice.
        if (error.code === 'E_STRIPE_REFUSED') transfer.refusals += 1
        await transfer.save()
      }
      if (onAttempt) await onAttempt(transfer, trx)
    })
  }

  /** After a partial refund: each creator's part comes off their unsent transfer, or back from the sent one. */
  async giveBackParts(
    order: Order,
    parts: Map<number, number>,
    refundedTotal: number,
    trx: TransactionClientContract
  ) {
    const transfers = await Transfer.query({ client: trx })
      .where('order_id', order.id)
      .forUpdate()
      .orderBy('id')
    for (const transfer of transfers) {
      const part = Math.min(
        parts.get(transfer.creatorId) ?? 0,
        transfer.amountCents - transfer.reversedCents
      )
      if (part <= 0) continue
      parts.set(transfer.creatorId, (parts.get(transfer.creatorId) ?? 0) - part)
      if (transfer.status === 'pending') {
        if (part >= transfer.amountCents)
          transfer.merge({
            status: 'failed',
            failureReason: 'Refunded before this transfer was sent.',
          })
        else transfer.amountCents -= part
        await transfer.save()
      } else if (transfer.status === 'paid' && transfer.stripeTransferId) {
        // One key per refund total: a redelivery of this refund returns the same reversal.
        const reversal = await this.stripe.reverseTransfer(
          transfer.stripeTransferId,
          { amount: part, metadata: { order_id: order.id } },
          `reversal-${transfer.id}-${refundedTotal}`
        )
        transfer.reversedCents += part
        await transfer.save()
        await this.ledger.reverseTransfer(transfer, trx, part, reversal.id)
      }
    }
  }

  /** The order's money is gone back to the buyer: sent transfers reversed (what is left of them), unsent ones never sent. */
  async takeBackTransfers(order: Order, reason: string, trx: TransactionClientContract) {
    const transfers = await Transfer.query({ client: trx })
      .where('order_id', order.id)
      .forUpdate()
      .orderBy('id')
    for (const transfer of transfers) {
      if (transfer.status === 'paid' && transfer.stripeTransferId) {
        const left = transfer.amountCents - transfer.reversedCents
        if (left > 0) {
          const reversal = await this.stripe.reverseTransfer(
            transfer.stripeTransferId,
            { amount: left, metadata: { order_id: order.id } },
            `reversal-${transfer.id}`
          )
          transfer.merge({
            status: 'reversed',
            stripeReversalId: reversal.id,
            reversedCents: transfer.amountCents,
          })
          await transfer.save()
          await this.ledger.reverseTransfer(transfer, trx, left, reversal.id)
        } else {
          transfer.status = 'reversed'
          await transfer.save()
        }
      } else if (transfer.status === 'pending') {
        transfer.merge({ status: 'failed', failureReason: reason })
        await transfer.save()
      }
    }
  }
}
