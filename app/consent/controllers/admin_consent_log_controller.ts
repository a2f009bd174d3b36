import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AdminPolicy } from '#app/admin/public'
import { CONSENT_LOG_CSV_HEADER, LegalLogService } from '#app/consent/legal_log_service'
import { sendCsv } from '#app/core/csv'
import { reasonFor, type LicensingProblem, heldVersions } from '#app/datasets/public'

/** The legal log: every consent record, its CSV export, and the licences withdrawals touch. */
@inject()
export default class AdminConsentLogController {
  constructor(protected log: LegalLogService) {}

  async index({ bouncer, request, view }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('access')
    const parsed = this.log.parseFilters(request.qs())
    const page = await this.log.page(parsed, request.input('after'))
    const counts = await this.log.counts(parsed)
    const base = this.log.queryString(parsed.filters)
    const heldList = await heldVersions()
    const held = heldList.filter((version) => !version.superseded)
    return view.render('pages/admin/consent_log/index', {
      ...page,
      counts,
      heldCount: held.length,
      filters: parsed.filters,
      errors: parsed.errors,
      firstUrl: `/admin/consent-log${base ? `?${base}` : ''}`,
      csvUrl: `/admin/consent-log.csv${base ? `?${base}` : ''}`,
      nextUrl: page.next
        ? `/admin/consent-log?${this.log.queryString(parsed.filters, page.next)}`
        : null,
    })
  }

  async export({ auth, bouncer, request, response, session }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('access')
    const parsed = this.log.parseFilters(request.qs())
    if (parsed.errors.length) {
      session.flash('error', `Nothing exported: ${parsed.errors.join(' ')}`)
      const kept = this.log.queryString(parsed.filters)
      return response.redirect(`/admin/consent-log${kept ? `?${kept}` : ''}`)
    }
    await this.log.recordExport(auth.getUserOrFail(), parsed.filters, request.ip())
    const stamp = new Date().toISOString().slice(0, 10)
    return sendCsv(
      response,
      `consent-log-${stamp}.csv`,
      CONSENT_LOG_CSV_HEADER,
      this.log.csvRows(parsed)
    )
  }

  async licences({ bouncer, view }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('access')
    const licences = await this.log.affectedLicences()
    return view.render('pages/admin/consent_log/licences', { licences })
  }

  /** Versions holding clips their consent never covered: not for sale until corrected. */
  async heldVersions({ bouncer, view }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('access')
    const heldList = await heldVersions()
    const versions = heldList.map((version) => ({
      ...version,
      clips: version.clips.map((clip) => ({
        ...clip,
        reason: reasonFor(
          clip.problem as LicensingProblem,
          clip.title,
          version.licenceType as 'research' | 'commercial'
        ),
      })),
    }))
    return view.render('pages/admin/consent_log/held_versions', { versions })
  }
}
