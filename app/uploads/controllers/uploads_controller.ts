import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { errors as bouncerErrors } from '@adonisjs/bouncer'
import UploadPolicy from '#app/uploads/policies/upload_policy'
import { UploadError } from '#app/uploads/errors'
import { UploadService } from '#app/uploads/upload_service'
import { UploadPageService } from '#app/uploads/upload_page_service'
import { TUS_EXTENSIONS, TUS_VERSION, parseUploadMetadata } from '#app/core/tus'

/**
 * The upload page and the tus endpoints behind it. Every tus answer carries the protocol
 * version; refusals are a sentence in plain text that the page shows as is. Resuming,
 * appending and cancelling go through `find`, which only returns the creator's own uploads.
 */
@inject()
export default class UploadsController {
  constructor(
    protected uploads: UploadService,
    protected pages: UploadPageService
  ) {}

  async create({ bouncer, auth, request, view }: HttpContext) {
    await bouncer.with(UploadPolicy).authorize('create')
    const page = await this.pages.forCreator(auth.getUserOrFail(), request.input('consent'))
    return view.render('pages/uploads/create', page)
  }

  async store(ctx: HttpContext) {
    return this.#tus(ctx, async () => {
      const length = Number(ctx.request.header('upload-length'))
      const metadata = parseUploadMetadata(ctx.request.header('upload-metadata'))
      const upload = await this.uploads.create(ctx.auth.getUserOrFail(), length, metadata)
      ctx.response.header('Location', `/uploads/${upload.id}`)
      ctx.response.header('Upload-Expires', upload.expiresAt.toHTTP()!)
      return ctx.response.status(201).send('')
    })
  }

  async show(ctx: HttpContext) {
    return this.#tus(ctx, async () => {
      const upload = await this.uploads.find(ctx.auth.getUserOrFail(), ctx.params.uploadId)
      ctx.response.header('Upload-Offset', String(upload.offset))
      ctx.response.header('Upload-Length', String(upload.length))
      ctx.response.header('Cache-Control', 'no-store')
      return ctx.response.status(200).send('')
    })
  }

  async update(ctx: HttpContext) {
    return this.#tus(ctx, async () => {
      if (ctx.request.header('content-type') !== 'application/offset+octet-stream') {
        return ctx.response
          .status(415)
          .send('Upload chunks must be sent as application/offset+octet-stream.')
      }
      const upload = await this.uploads.find(ctx.auth.getUserOrFail(), ctx.params.uploadId)
      const offset = Number(ctx.request.header('upload-offset'))
      const result = await this.uploads.append(upload, offset, ctx.request.request)
      ctx.response.header('Upload-Offset', String(result.offset))
      if (result.clip) ctx.response.header('Athera-Clip-Id', result.clip.id)
      return ctx.response.status(204).send('')
    })
  }

  async destroy(ctx: HttpContext) {
    return this.#tus(ctx, async () => {
      const upload = await this.uploads.find(ctx.auth.getUserOrFail(), ctx.params.uploadId)
      await this.uploads.cancel(upload)
      return ctx.response.status(204).send('')
    })
  }

  /** Every tus request: the policy check, the protocol version, then the work. */
  async #tus({ bouncer, request, response }: HttpContext, handle: () => Promise<unknown>) {
    response.header('Tus-Resumable', TUS_VERSION)
    response.header('Tus-Extension', TUS_EXTENSIONS)
    try {
      await bouncer.with(UploadPolicy).authorize('create')
      if (request.header('tus-resumable') !== TUS_VERSION) {
        response.header('Tus-Version', TUS_VERSION)
        return response.status(412).send(`This server speaks tus ${TUS_VERSION}.`)
      }
      return await handle()
    } catch (error) {
      if (error instanceof UploadError) {
        return response.status(error.status).type('text/plain').send(error.message)
      }
      // The uploader is a script, not a page: a refusal is a 403 sentence, not a redirect.
      if (error instanceof bouncerErrors.E_AUTHORIZATION_FAILURE) {
        return response.status(403).type('text/plain').send(error.message)
      }
      throw error
    }
  }
}
