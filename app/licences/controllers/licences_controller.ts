import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import LicencePolicy from '#app/licences/policies/licence_policy'
import { LicenceLibraryService, type Requester } from '#app/licences/licence_library_service'
import { WithdrawalNoticeService } from '#app/notices/public'

@inject()
export default class LicencesController {
  constructor(
    protected library: LicenceLibraryService,
    protected notices: WithdrawalNoticeService
  ) {}

  /** The buyer's licences. */
  async index({ bouncer, auth, view }: HttpContext) {
    await bouncer.with(LicencePolicy).authorize('viewList')
    const licences = await this.library.listFor(auth.getUserOrFail())
    return view.render('pages/licences/index', { licences })
  }

  /** One licence: terms, files, withdrawal notices, download buttons. */
  async show({ bouncer, params, view }: HttpContext) {
    const licence = await this.library.find(params.licenceId)
    await bouncer.with(LicencePolicy).authorize('view', licence)
    const detail = await this.library.detail(licence)
    const notices = await this.notices.forLicence(licence)
    return view.render('pages/licences/show', { detail, notices })
  }

  /** The version's files with presigned links (short-lived, fresh on every request). */
  async manifest(ctx: HttpContext) {
    const { bouncer, params, response } = ctx
    const licence = await this.library.find(params.licenceId)
    await bouncer.with(LicencePolicy).authorize('download', licence)
    const manifest = await this.library.manifest(licence)
    await this.library.logDownload(licence, 'manifest', requester(ctx))
    response.header('Cache-Control', 'no-store')
    return response.json(manifest)
  }

  /** The whole version as one streamed ZIP. */
  async download(ctx: HttpContext) {
    const { bouncer, params, request, response } = ctx
    const licence = await this.library.find(params.licenceId)
    await bouncer.with(LicencePolicy).authorize('download', licence)
    const plan = await this.library.plan(licence)
    const name = this.library.archiveName(plan)
    response.header('Content-Type', 'application/zip')
    response.header('Content-Disposition', `attachment; filename="${name}"`)
    response.header('Cache-Control', 'no-store')
    if (request.method() === 'HEAD') return response.send('')
    await this.library.logDownload(licence, 'zip', requester(ctx))
    return response.stream(this.library.zip(plan))
  }
}

function requester({ auth, request }: HttpContext): Requester {
  return {
    user: auth.getUserOrFail(),
    ip: request.ip() ?? null,
    userAgent: request.header('user-agent') ?? null,
  }
}
