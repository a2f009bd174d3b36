import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { isHtmx } from '#app/core/htmx'
import { AdminPolicy } from '#app/admin/public'
import { RedactionService, type RedactionResult } from '#app/moderation/redaction_service'
import { redactionErrors } from '#app/moderation/errors'
import { redactionValidator } from '#app/moderation/redaction_validators'

/**
 * A reviewer's manual redactions of a clip (the review page's redaction panel): draw and follow
 * a box (store), watch the tracking or the re-render (show, polled by htmx), re-render (render),
 * drop it (cancel). The panel's script sends HX-Request and swaps in the panel it gets back,
 * with the refusal's sentence and a 4xx; a plain form gets a flash and the review page.
 */
@inject()
export default class AdminRedactionsController {
  constructor(protected redactions: RedactionService) {}

  async show(ctx: HttpContext) {
    await ctx.bouncer.with(AdminPolicy).authorize('redact')
    const clip = await this.redactions.find(ctx.params.clipId)
    const panel = await this.redactions.panel(clip)
    // The watched redaction finished: the whole review comes again, with the new video.
    if (!panel.open || String(panel.open.id) !== String(ctx.params.id))
      ctx.response.header('HX-Trigger', 'moderation-changed')
    return ctx.view.render('components/moderation/redaction', {
      panel,
      error: null,
      fragment: true,
    })
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with(AdminPolicy).authorize('redact')
    const clip = await this.redactions.find(ctx.params.clipId)
    const [error, input] = await redactionValidator.tryValidate(ctx.request.all())
    // The validator's own message for the field (what a form shows), with the checks' status.
    if (error)
      return answer(ctx, clip.id, { status: 422, message: firstMessage(error) }, this.redactions)
    return answer(
      ctx,
      clip.id,
      refusalOf(await this.redactions.request(ctx.auth.getUserOrFail(), clip, input)),
      this.redactions
    )
  }

  async render(ctx: HttpContext) {
    await ctx.bouncer.with(AdminPolicy).authorize('redact')
    const clip = await this.redactions.find(ctx.params.clipId)
    return answer(
      ctx,
      clip.id,
      refusalOf(
        await this.redactions.render(ctx.auth.getUserOrFail(), clip, Number(ctx.params.id))
      ),
      this.redactions
    )
  }

  async cancel(ctx: HttpContext) {
    await ctx.bouncer.with(AdminPolicy).authorize('redact')
    const clip = await this.redactions.find(ctx.params.clipId)
    return answer(
      ctx,
      clip.id,
      refusalOf(await this.redactions.cancel(clip, Number(ctx.params.id))),
      this.redactions
    )
  }
}

function firstMessage(error: unknown) {
  return (
    (error as { messages?: { message: string }[] }).messages?.[0]?.message ??
    'The box and range are not valid.'
  )
}

/** What the reviewer is told of a refusal: its status and sentence (app/moderation/errors.ts). */
type Refused = { status: number; message: string } | null

function refusalOf(result: RedactionResult): Refused {
  return result.ok
    ? null
    : { status: redactionErrors.status(result.code), message: redactionErrors.describe(result) }
}

/** The panel as it now is (with the refusal's sentence and status), or back to the review page. */
async function answer(
  { request, response, session, view }: HttpContext,
  clipId: string,
  refused: Refused,
  redactions: RedactionService
) {
  if (!isHtmx(request)) {
    if (refused) session.flash('error', refused.message)
    return response.redirect(`/admin/moderation/${clipId}`)
  }
  if (refused) response.status(refused.status)
  const panel = await redactions.panel(await redactions.find(clipId))
  return view.render('components/moderation/redaction', {
    panel,
    error: refused?.message ?? null,
    fragment: true,
  })
}
