import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import AdminPolicy from '#app/admin/policies/admin_policy'
import { auditFiltersValidator } from '#app/admin/validators'
import { AuditLogService } from '#app/admin/audit_log_service'

/** The audit log, read-only: newest first, filtered, one keyset page at a time. */
@inject()
export default class AdminAuditController {
  constructor(protected audit: AuditLogService) {}

  async index({ bouncer, request, response, view }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('readAudit')
    const query = request.qs()
    const [error, filters] = await auditFiltersValidator.tryValidate(query)
    const filterErrors = error
      ? error.messages.map((message: { message: string }) => message.message)
      : []
    const page = filters ? await this.audit.page(filters) : { rows: [], nextBefore: null }
    const kept = Object.fromEntries(
      ['actor', 'action', 'subjectType', 'subjectId', 'from', 'to']
        .filter((key) => typeof query[key] === 'string' && query[key] !== '')
        .map((key) => [key, query[key] as string])
    )
    const nextUrl = page.nextBefore
      ? `/admin/audit?${new URLSearchParams({ ...kept, before: String(page.nextBefore) })}`
      : null
    const firstUrl = `/admin/audit${Object.keys(kept).length ? `?${new URLSearchParams(kept)}` : ''}`
    const html = await view.render('pages/admin/audit/index', {
      rows: page.rows,
      filters: kept,
      filterErrors,
      nextUrl,
      firstUrl,
      paged: Boolean(filters?.before),
    })
    return response.status(error ? 422 : 200).send(html)
  }
}
