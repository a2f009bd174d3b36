import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { isHtmx } from '#app/core/htmx'
import { clipErrors } from '#app/clips/errors'
import ClipPolicy from '#app/clips/policies/clip_policy'
import {
  CLIP_STATUS_LABELS,
  ClipLibraryService,
  type RetryResult,
} from '#app/clips/clip_library_service'

/** The sentence the creator reads for a refusal (app/clips/errors.ts). */
function refusalMessage(result: Exclude<RetryResult, { ok: true }>) {
  return result.code === 'E_NOT_RETRYABLE'
    ? clipErrors.sentence('E_NOT_RETRYABLE', { statusLabel: CLIP_STATUS_LABELS[result.status] })
    : clipErrors.sentence('E_QUEUE_UNAVAILABLE')
}

/** Sends a failed clip back to the pipeline (PeerTube users cannot; ours can). */
@inject()
export default class ClipRetryController {
  constructor(protected library: ClipLibraryService) {}

  async store({ bouncer, params, auth, request, response, session, view }: HttpContext) {
    // The policy needs the clip itself; loading it is the only thing done before the check.
    const clip = await this.library.find(params.id)
    await bouncer.with(ClipPolicy).authorize('retry', clip)
    const result = await this.library.retry(clip.id)
    const notice = result.ok
      ? { kind: 'success', message: `"${clip.title}" is queued for processing again.` }
      : { kind: 'error', message: refusalMessage(result) }

    if (!result.ok && result.code === 'E_QUEUE_UNAVAILABLE' && !isHtmx(request)) {
      // Nothing changed and nothing will until Redis is back: say so, as a 503.
      throw clipErrors.raise('E_QUEUE_UNAVAILABLE')
    }
    if (isHtmx(request)) {
      // htmx swaps the list in place, so the message travels inside the fragment.
      const library = await this.library.listFor(auth.getUserOrFail())
      return view.render('components/clips/list', { ...library, notice })
    }
    session.flash(notice.kind, notice.message)
    // Admins cannot open "My clips": they return to the clip they retried.
    const backToDetail =
      request.input('from') === 'detail' || clip.userId !== auth.getUserOrFail().id
    return response.redirect(backToDetail ? `/clips/${clip.id}` : '/clips')
  }
}
