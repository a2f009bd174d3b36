import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { fragmentOrPage } from '#app/core/htmx'
import { DateTime } from 'luxon'
import { AdminPolicy } from '#app/admin/public'
import { ClipReview } from '#app/moderation/clip_review'
import { ReviewQueue, filterQuery, type QueueFilters } from '#app/moderation/review_queue'
import { RedactionService } from '#app/moderation/redaction_service'
import { queueFiltersValidator } from '#app/moderation/validators'
import { reviewErrors } from '#app/moderation/errors'

/**
 * The moderation queue and one clip's review page. Each page and its htmx fragment share a
 * URL: a decision makes htmx fetch the fragment again (or the next clip's), never the page.
 */
@inject()
export default class AdminModerationController {
  constructor(
    protected queue: ReviewQueue,
    protected review: ClipReview,
    protected redactions: RedactionService
  ) {}

  async index({ bouncer, request, response, view }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('review')
    const { filters, filterError } = await readFilters(request.qs())
    const queue = await this.queue.queue(filters)
    const { currentPage, lastPage } = queue.page
    const pageLinks = {
      previous:
        currentPage > 1
          ? `/admin/moderation${filterQuery(filters, { page: currentPage - 1 })}`
          : null,
      next:
        currentPage < lastPage
          ? `/admin/moderation${filterQuery(filters, { page: currentPage + 1 })}`
          : null,
    }
    const state = { ...queue, pageLinks, filters, filterError, query: filterQuery(filters) }
    return fragmentOrPage(
      { request, response },
      {
        fragment: () => view.render('components/moderation/queue', { ...state, fragment: true }),
        page: async () =>
          view.render('pages/admin/moderation/index', {
            ...state,
            options: await this.queue.filterOptions(),
          }),
      }
    )
  }

  async show({ bouncer, params, request, response, view }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('review')
    const { filters } = await readFilters(request.qs())
    const clip = await this.review.find(params.clipId)
    const [review, redaction] = await Promise.all([
      this.review.review(clip, filters),
      this.redactions.panel(clip),
    ])
    const state = { review, redaction, query: filterQuery(filters, { page: 1 }) }
    return fragmentOrPage(
      { request, response },
      {
        fragment: () => view.render('components/moderation/review', { ...state, fragment: true }),
        page: () => view.render('pages/admin/moderation/show', state),
      }
    )
  }

  /** regions.json from our own origin, for the overlay; admins only, like the original. */
  async regions({ bouncer, params, response }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('review')
    const stream = await this.review.regionsStream(await this.review.find(params.clipId))
    if (!stream) throw reviewErrors.raise('E_NO_REGIONS')
    response.header('Content-Type', 'application/json; charset=utf-8')
    response.header('Cache-Control', 'private, max-age=300')
    return response.stream(stream)
  }
}

/** The queue's filters from a query string; a bad one is named and the defaults used instead. */
async function readFilters(
  qs: Record<string, unknown>
): Promise<{ filters: QueueFilters; filterError: string | null }> {
  const defaults: QueueFilters = { status: 'processed', page: 1 }
  const [error, input] = await queueFiltersValidator.tryValidate(qs)
  if (error) {
    return {
      filters: defaults,
      filterError:
        (error as { messages?: { message: string }[] }).messages?.[0]?.message ??
        'These filters are not valid.',
    }
  }
  // The pattern admits 2026-02-31: only a real day filters.
  if ([input.from, input.to].some((day) => day && !DateTime.fromISO(day).isValid)) {
    return {
      filters: defaults,
      filterError: `There is no such day as ${[input.from, input.to].find((day) => day && !DateTime.fromISO(day).isValid)}.`,
    }
  }
  return {
    filters: { ...input, status: input.status ?? 'processed', page: input.page ?? 1 },
    filterError: null,
  }
}
