import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { fragmentOrPage } from '#app/core/htmx'
import { DatasetPolicy } from '#app/datasets/public'
import { CatalogService, CATALOG_SORTS } from '#app/catalog/catalog_service'
import { catalogErrors } from '#app/catalog/errors'

/**
 * The public catalog and dataset pages. The grid answers htmx with its results fragment (the
 * URL keeps every filter, so links and the back button work) and anyone else with the page.
 */
@inject()
export default class CatalogController {
  constructor(protected catalog: CatalogService) {}

  async index({ bouncer, request, response, view }: HttpContext) {
    await bouncer.with(DatasetPolicy).authorize('browse')
    const { filters, errors } = this.catalog.parseFilters(request.qs())
    const after = typeof request.input('after') === 'string' ? request.input('after') : null
    const firstUrl = `/catalog${this.catalog.queryString(filters) ? `?${this.catalog.queryString(filters)}` : ''}`
    const canonical = after ? `/catalog?${this.catalog.queryString(filters, after)}` : firstUrl
    const results = await this.catalog.results(canonical, async () => {
      const { cards, next } = await this.catalog.page(filters, after)
      const nextUrl = next ? `/catalog?${this.catalog.queryString(filters, next)}` : null
      const html = await view.render('components/catalog/results', {
        cards,
        errors,
        after,
        nextUrl,
        firstUrl,
      })
      return { html, cacheable: errors.length === 0 }
    })
    return fragmentOrPage(
      { request, response },
      {
        fragment: () => {
          // The address bar gets the canonical URL (no empty fields). A request for the state already
          // shown (Enter right after typing sends the search twice) adds no second history entry.
          const current = request.header('HX-Current-URL')
          const shown = current ? URL.parse(current) : null
          response.header(
            'HX-Push-Url',
            shown && `${shown.pathname}${shown.search}` === canonical ? 'false' : canonical
          )
          return results
        },
        page: async () =>
          view.render('pages/catalog/index', {
            filters,
            errors,
            results,
            facets: await this.catalog.facets(),
            sorts: CATALOG_SORTS,
          }),
      }
    )
  }

  async show({ auth, bouncer, params, view }: HttpContext) {
    await bouncer.with(DatasetPolicy).authorize('browse')
    const { dataset, version } = await this.catalog.findPublished(params.slug)
    const page = await this.catalog.detail(dataset, version, auth.user ?? null)
    return view.render('pages/catalog/show', { page })
  }

  /** The sample clip's keypoints.json from our own origin, for the skeleton overlay. */
  async sampleKeypoints({ bouncer, params, response }: HttpContext) {
    await bouncer.with(DatasetPolicy).authorize('browse')
    const { version } = await this.catalog.findPublished(params.slug)
    const stream = await this.catalog.sampleKeypoints(version)
    if (!stream) throw catalogErrors.raise('E_NO_SAMPLE')
    response.header('Content-Type', 'application/json; charset=utf-8')
    response.header('Cache-Control', 'public, max-age=300')
    return response.stream(stream)
  }

  /** The sample clip's watermarked preview, through a short-lived presigned URL. */
  async samplePreview({ bouncer, params, response }: HttpContext) {
    await bouncer.with(DatasetPolicy).authorize('browse')
    const { version } = await this.catalog.findPublished(params.slug)
    const url = await this.catalog.samplePreviewUrl(version)
    if (!url) throw catalogErrors.raise('E_NO_SAMPLE')
    response.header('Cache-Control', 'private, max-age=60')
    return response.redirect(url)
  }
}
