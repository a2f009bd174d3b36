import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import DatasetPolicy from '#app/datasets/policies/dataset_policy'
import { DatasetService } from '#app/datasets/dataset_service'
import { CatalogService } from '#app/catalog/public'
import { datasetClipsValidator, datasetValidator } from '#app/datasets/validators'
import { datasetErrors, eligibilityErrors } from '#app/datasets/errors'

/** A creator's (or an admin's curated) datasets: details, clip selection, publication. */
@inject()
export default class MyDatasetsController {
  constructor(protected datasets: DatasetService) {}

  async index({ auth, bouncer, view }: HttpContext) {
    await bouncer.with(DatasetPolicy).authorize('manage')
    const rows = await this.datasets.listFor(auth.getUserOrFail())
    return view.render('pages/datasets/index', { rows })
  }

  async create({ auth, bouncer, view }: HttpContext) {
    await bouncer.with(DatasetPolicy).authorize('manage')
    return view.render('pages/datasets/new', {
      meta: await this.datasets.formMeta(auth.getUserOrFail()),
    })
  }

  async store({ auth, bouncer, request, response, session }: HttpContext) {
    await bouncer.with(DatasetPolicy).authorize('manage')
    const user = auth.getUserOrFail()
    const input = await request.validateUsing(datasetValidator, {
      meta: await this.datasets.formMeta(user),
    })
    const dataset = await this.datasets.create(user, input)
    session.flash('success', 'Dataset created as a draft. Pick its clips, then publish.')
    return response.redirect(`/my/datasets/${dataset.id}/edit`)
  }

  async edit({ auth, bouncer, params, view }: HttpContext) {
    const dataset = await this.datasets.find(params.datasetId)
    await bouncer.with(DatasetPolicy).authorize('edit', dataset)
    const editor = await this.datasets.editor(dataset, auth.getUserOrFail())
    return view.render('pages/datasets/edit', editor)
  }

  async update({ auth, bouncer, params, request, response, session }: HttpContext) {
    const dataset = await this.datasets.find(params.datasetId)
    await bouncer.with(DatasetPolicy).authorize('edit', dataset)
    const input = await request.validateUsing(datasetValidator, {
      meta: await this.datasets.formMeta(auth.getUserOrFail()),
    })
    const result = await this.datasets.update(dataset, input)
    if (!result.ok) {
      session.flash('error', datasetErrors.describe(result))
      return response.redirect(`/my/datasets/${dataset.id}/edit`)
    }
    session.flash(
      'success',
      dataset.status === 'published'
        ? 'Details saved. A new price or licence type applies from the next version you publish.'
        : 'Details saved.'
    )
    return response.redirect(`/my/datasets/${dataset.id}/edit`)
  }

  async clips({ auth, bouncer, params, request, response, session }: HttpContext) {
    const dataset = await this.datasets.find(params.datasetId)
    await bouncer.with(DatasetPolicy).authorize('edit', dataset)
    // One ticked box arrives as a string, several as an array.
    const { clips } = await datasetClipsValidator.validate({
      clips: [request.input('clips') ?? []].flat(),
    })
    const result = await this.datasets.setClips(dataset, auth.getUserOrFail(), clips ?? [])
    if (result.ok)
      session.flash(
        'success',
        `${result.value.count} clip${result.value.count === 1 ? '' : 's'} picked. Publish to make them a new version.`
      )
    else session.flash('error', datasetErrors.describe(result))
    return response.redirect(`/my/datasets/${dataset.id}/edit`)
  }

  async publish({ auth, bouncer, params, request, response, session }: HttpContext) {
    const dataset = await this.datasets.find(params.datasetId)
    await bouncer.with(DatasetPolicy).authorize('edit', dataset)
    const result = await this.datasets.publish(dataset, auth.getUserOrFail(), request.ip())
    if (result.ok) {
      CatalogService.clearCache()
      const { version, skipped, relisted } = result.value
      session.flash(
        'success',
        relisted
          ? `The dataset is listed again with version ${version.version}.`
          : `Version ${version.version} is published with ${version.stats.clips} clip${version.stats.clips === 1 ? '' : 's'}.`
      )
      if (skipped.length)
        session.flash(
          'info',
          `Left out: ${skipped.map((refusal) => eligibilityErrors.describe(refusal)).join(' ')}`
        )
    } else {
      session.flash('error', datasetErrors.describe(result))
    }
    return response.redirect(`/my/datasets/${dataset.id}/edit`)
  }

  /** Off the catalog: no new sales or claims; licences already issued are unaffected. */
  async unpublish({ auth, bouncer, params, request, response, session }: HttpContext) {
    const dataset = await this.datasets.find(params.datasetId)
    await bouncer.with(DatasetPolicy).authorize('edit', dataset)
    const result = await this.datasets.unpublish(dataset, auth.getUserOrFail(), request.ip())
    if (result.ok) {
      CatalogService.clearCache()
      session.flash(
        'success',
        'The dataset is unpublished: it left the catalog and cannot be bought or claimed. Licences already issued stay valid. Publish again to list it.'
      )
    } else {
      session.flash('error', datasetErrors.describe(result))
    }
    return response.redirect(`/my/datasets/${dataset.id}/edit`)
  }
}
