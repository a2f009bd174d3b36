import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { fragmentOrPage } from '#app/core/htmx'
import ClipPolicy from '#app/clips/policies/clip_policy'
import { ClipLibraryService } from '#app/clips/clip_library_service'
import { clipErrors } from '#app/clips/errors'

@inject()
export default class ClipsController {
  constructor(protected library: ClipLibraryService) {}

  /** "My clips". htmx polls the same URL and gets the list fragment alone. */
  async index({ bouncer, auth, request, response, view }: HttpContext) {
    await bouncer.with(ClipPolicy).authorize('viewList')
    const library = await this.library.listFor(auth.getUserOrFail())
    return fragmentOrPage(
      { request, response },
      {
        fragment: () => view.render('components/clips/list', library),
        page: () => view.render('pages/clips/index', library),
      }
    )
  }

  /** One clip in full. Polled by htmx while the pipeline may still change it. */
  async show({ bouncer, params, request, response, view }: HttpContext) {
    // The policy needs the clip itself; loading it is the only thing done before the check.
    const clip = await this.library.find(params.id)
    await bouncer.with(ClipPolicy).authorize('view', clip)
    const detail = await this.library.detail(clip)
    return fragmentOrPage(
      { request, response },
      {
        fragment: () => view.render('components/clips/detail', { detail }),
        page: () => view.render('pages/clips/show', { detail }),
      }
    )
  }

  /**
   * The clip's keypoints.json from our own origin, so the page's skeleton overlay can read it
   * without the object store having to allow cross-origin requests.
   */
  async keypoints({ bouncer, params, response }: HttpContext) {
    const clip = await this.library.find(params.id)
    await bouncer.with(ClipPolicy).authorize('view', clip)
    const stream = await this.library.keypointsStream(clip)
    if (!stream) throw clipErrors.raise('E_NO_KEYPOINTS')
    response.header('Content-Type', 'application/json; charset=utf-8')
    response.header('Cache-Control', 'private, max-age=300')
    return response.stream(stream)
  }
}
