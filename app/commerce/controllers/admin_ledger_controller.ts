import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AdminPolicy } from '#app/admin/public'
import { LEDGER_ACCOUNTS, LEDGER_ENTRY_KINDS } from '#models/ledger_entry'
import { AdminLedgerService, LEDGER_CSV_HEADER } from '#app/commerce/admin_ledger_service'
import { sendCsv } from '#app/core/csv'

/** The ledger with filters and sums, and its CSV export (the same filters, the same rows). */
@inject()
export default class AdminLedgerController {
  constructor(protected ledger: AdminLedgerService) {}

  async index({ bouncer, request, view }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('access')
    const parsed = this.ledger.parseFilters(request.qs())
    const page = await this.ledger.page(parsed, request.input('after'))
    const sums = await this.ledger.sums(parsed)
    const order = parsed.where.orderId ? await this.ledger.order(parsed.where.orderId) : null
    const base = this.ledger.queryString(parsed.filters)
    const anomalies = await this.ledger.anomalies()
    return view.render('pages/admin/ledger/index', {
      ...page,
      anomalies,
      sums,
      order,
      filters: parsed.filters,
      errors: parsed.errors,
      accounts: LEDGER_ACCOUNTS,
      kinds: LEDGER_ENTRY_KINDS,
      firstUrl: `/admin/ledger${base ? `?${base}` : ''}`,
      csvUrl: `/admin/ledger.csv${base ? `?${base}` : ''}`,
      nextUrl: page.next
        ? `/admin/ledger?${this.ledger.queryString(parsed.filters, page.next)}`
        : null,
    })
  }

  async export({ auth, bouncer, request, response, session }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('access')
    const parsed = this.ledger.parseFilters(request.qs())
    if (parsed.errors.length) {
      // An export must hold exactly what was asked for: a filter we could not read is refused.
      session.flash('error', `Nothing exported: ${parsed.errors.join(' ')}`)
      const kept = this.ledger.queryString(parsed.filters)
      return response.redirect(`/admin/ledger${kept ? `?${kept}` : ''}`)
    }
    await this.ledger.recordExport(auth.getUserOrFail(), parsed.filters, request.ip())
    const stamp = new Date().toISOString().slice(0, 10)
    return sendCsv(response, `ledger-${stamp}.csv`, LEDGER_CSV_HEADER, this.ledger.csvRows(parsed))
  }
}
