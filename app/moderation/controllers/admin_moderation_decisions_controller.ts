import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { isHtmx } from '#app/core/htmx'
import { AdminPolicy } from '#app/admin/public'
import { ModerationDecisions } from '#app/moderation/moderation_decisions'
import { decisionErrors } from '#app/moderation/errors'
import { bulkDecisionValidator, rejectValidator, safeNext } from '#app/moderation/validators'

/**
 * An admin's decisions on clips: approve, reject with a reason, or either for several ticked
 * clips. Plain forms post and are redirected to `next` (the queue, or the next clip's review);
 * htmx gets headers instead, so the queue or the next clip comes in without a page load.
 */
@inject()
export default class AdminModerationDecisionsController {
  constructor(protected moderation: ModerationDecisions) {}

  async approve(ctx: HttpContext) {
    await ctx.bouncer.with(AdminPolicy).authorize('review')
    const result = await this.moderation.decide(
      ctx.auth.getUserOrFail(),
      ctx.params.clipId,
      'approve',
      null,
      ctx.request.ip()
    )
    return answer(
      ctx,
      result.ok
        ? { ok: true, message: `“${result.clip.title}” is approved: it can enter datasets.` }
        : { ok: false, message: decisionErrors.describe(result) }
    )
  }

  async reject(ctx: HttpContext) {
    await ctx.bouncer.with(AdminPolicy).authorize('review')
    const [error, input] = await rejectValidator.tryValidate(ctx.request.all())
    if (error) return answer(ctx, { ok: false, message: firstMessage(error) })
    const result = await this.moderation.decide(
      ctx.auth.getUserOrFail(),
      ctx.params.clipId,
      'reject',
      input.reason,
      ctx.request.ip()
    )
    return answer(
      ctx,
      result.ok
        ? { ok: true, message: `“${result.clip.title}” is rejected; its creator sees the reason.` }
        : { ok: false, message: decisionErrors.describe(result) }
    )
  }

  async bulk(ctx: HttpContext) {
    await ctx.bouncer.with(AdminPolicy).authorize('review')
    const body = { ...ctx.request.all(), clips: [ctx.request.input('clips') ?? []].flat() }
    const [error, input] = await bulkDecisionValidator.tryValidate(body)
    if (error) return answer(ctx, { ok: false, message: firstMessage(error) })
    const result = await this.moderation.bulk(
      ctx.auth.getUserOrFail(),
      input.action,
      input.clips,
      input.reason ?? null,
      ctx.request.ip()
    )
    const count = result.decided.length
    const done = `${count} clip${count === 1 ? '' : 's'} ${input.action === 'approve' ? 'approved' : 'rejected'}.`
    const refused = result.refused.map((refusal) => decisionErrors.describe(refusal))
    return answer(ctx, { ok: count > 0, message: [done, ...refused].join(' ') })
  }
}

function firstMessage(error: unknown) {
  return (
    (error as { messages?: { message: string }[] }).messages?.[0]?.message ??
    'The form is not valid.'
  )
}

/**
 * Flashes the outcome, then: without JavaScript, back to `next`; with htmx, a decision taken
 * on a review page brings in the next clip (HX-Location swaps the review, no page load), and
 * anything else tells the page to fetch its fragment again (HX-Trigger), which shows the flash.
 */
function answer(
  { request, response, session }: HttpContext,
  outcome: { ok: boolean; message: string }
) {
  session.flash(outcome.ok ? 'success' : 'error', outcome.message)
  const next = safeNext(request.input('next'))
  if (!isHtmx(request)) return response.redirect(next)
  if (outcome.ok && request.input('from') === 'review') {
    const [path] = next.split('?')
    if (path === '/admin/moderation') response.header('HX-Redirect', next)
    else
      response.header(
        'HX-Location',
        JSON.stringify({ path: next, target: '#moderation-review', swap: 'outerHTML' })
      )
  } else {
    response.header('HX-Trigger', 'moderation-changed')
  }
  // htmx acts on these headers whatever the status; there is nothing to swap.
  return response.noContent()
}
