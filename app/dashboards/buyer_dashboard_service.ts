import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Dataset from '#models/dataset'
import DatasetVersion from '#models/dataset_version'
import Order from '#models/order'
import type { DownloadKind } from '#models/download'
import type User from '#models/user'
import { ApiTokenService } from '#app/accounts/public'
import { LicenceLibraryService, type LicenceRow } from '#app/licences/public'
import { SettingsStore } from '#app/core/settings_store'
import { WithdrawalNoticeService } from '#app/notices/public'

/** How many downloads the dashboard lists (the licence pages count them all). */
export const RECENT_DOWNLOADS = 10

const DOWNLOAD_LABELS: Record<DownloadKind, string> = {
  zip: 'ZIP archive',
  manifest: 'Manifest (web)',
  file: 'Single file',
  api: 'Manifest (API)',
}

/** Orders that took money: the only ones with a receipt. */
const RECEIPT_STATUSES: Order['status'][] = ['paid', 'refunded']

export interface HistoryRow extends LicenceRow {
  /** What was paid: an amount for a purchase, or how the licence came without payment. */
  paid: { kind: 'amount'; cents: number; currency: string } | { kind: 'free' } | { kind: 'granted' }
  receiptUrl: string | null
}

/**
 * The buyer's console beyond its headline figures: withdrawal notices not yet confirmed,
 * licence history with what each cost and its receipt, the latest downloads, the API tokens summary, and the receipt of one order.
 */
@inject()
export class BuyerDashboardService {
  constructor(
    protected library: LicenceLibraryService,
    protected tokens: ApiTokenService,
    protected settings: SettingsStore,
    protected notices: WithdrawalNoticeService
  ) {}

  async overview(buyer: User) {
    const counted = await db.from('downloads').where('user_id', buyer.id).count('* as total')
    return {
      withdrawalNotices: await this.notices.pendingFor(buyer),
      history: await this.history(buyer),
      downloads: await this.recentDownloads(buyer),
      downloadCount: Number(counted[0].total),
      tokens: await this.tokens.summary(buyer),
    }
  }

  /** Every licence, newest first, with its order when it was bought. */
  async history(buyer: User): Promise<HistoryRow[]> {
    const rows = await this.library.listFor(buyer)
    const orderIds = rows
      .map((row) => row.licence.orderId)
      .filter((id): id is string => id !== null)
    const orders = orderIds.length ? await Order.query().whereIn('id', orderIds) : []
    const byId = new Map(orders.map((order) => [order.id, order]))
    return rows.map((row) => {
      const order = row.licence.orderId ? byId.get(row.licence.orderId) : undefined
      const paid: HistoryRow['paid'] =
        row.licence.source === 'purchase' && order
          ? { kind: 'amount', cents: order.amountCents, currency: order.currency }
          : row.licence.source === 'grant'
            ? { kind: 'granted' }
            : { kind: 'free' }
      const receiptUrl =
        order && RECEIPT_STATUSES.includes(order.status) ? `/buyer/receipts/${order.id}` : null
      return { ...row, paid, receiptUrl }
    })
  }

  /** The buyer's latest downloads under any of their licences. */
  async recentDownloads(buyer: User, limit = RECENT_DOWNLOADS) {
    const rows: {
      id: number
      kind: DownloadKind
      created_at: Date
      licence_id: string
      title: string
      version: number
    }[] = await db
      .from('downloads')
      .join('licences', 'licences.id', 'downloads.licence_id')
      .join('dataset_versions', 'dataset_versions.id', 'licences.dataset_version_id')
      .join('datasets', 'datasets.id', 'dataset_versions.dataset_id')
      .where('downloads.user_id', buyer.id)
      .orderBy('downloads.created_at', 'desc')
      .orderBy('downloads.id', 'desc')
      .limit(limit)
      .select(
        'downloads.id',
        'downloads.kind',
        'downloads.created_at',
        'downloads.licence_id',
        'datasets.title',
        'dataset_versions.version'
      )
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      kindLabel: DOWNLOAD_LABELS[row.kind],
      at: DateTime.fromJSDate(row.created_at),
      licenceId: row.licence_id,
      datasetTitle: row.title,
      version: row.version,
    }))
  }

  /** An order that took money; a 404 for pending, cancelled and failed ones (nothing was paid). */
  async findReceiptOrder(id: string) {
    return Order.query().where('id', id).whereIn('status', RECEIPT_STATUSES).firstOrFail()
  }

  /** Everything a receipt states, from the order as it was paid. */
  async receipt(order: Order) {
    await order.load('buyer')
    const version = await DatasetVersion.findOrFail(order.datasetVersionId)
    const dataset = await Dataset.findOrFail(version.datasetId)
    const { instance_name: platform } = await this.settings.all()
    await order.load('licence')
    return {
      order,
      buyer: order.buyer,
      dataset,
      version,
      platform,
      licenceId: order.licence?.id ?? null,
      paidAt: order.paidAt ?? order.createdAt,
    }
  }
}
