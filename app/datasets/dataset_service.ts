import { randomBytes } from 'node:crypto'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import Clip from '#models/clip'
import Dataset, { type LicenceType } from '#models/dataset'
import DatasetVersion from '#models/dataset_version'
import type User from '#models/user'
import { SettingsStore } from '#app/core/settings_store'
import { parseTags, type DatasetFormMeta } from '#app/datasets/validators'
import { AuditTrail } from '#app/core/audit_trail'
import { eligibilityOf, type Ineligible } from '#app/datasets/clip_eligibility'
import { eligibilityErrors } from '#app/datasets/errors'
import {
  DatasetPublisher,
  selectedClips,
  type DatasetResult,
} from '#app/datasets/dataset_publisher'

// The demo seeder and the benchmarks read these from here.
export { listVersion, type DatasetResult } from '#app/datasets/dataset_publisher'
export {
  canonicalJson,
  manifestClip,
  manifestFiles,
  MANIFEST_FILES,
  type DatasetManifest,
  type ManifestFileKind,
} from '#app/datasets/manifest'

/** Why the details were not saved: picked clips' consent does not cover the new licence type. */
export type UpdateRefusal = {
  code: 'E_LICENCE_BLOCKED'
  type: LicenceType
  clipRefusals: Ineligible[]
}

/** Why a dataset was not unpublished. */
export type UnpublishRefusal = { code: 'E_NOT_PUBLISHED' }

/** Why the selection was not changed: a picked clip that cannot enter, or is someone else's. */
export type SetClipsRefusal = Ineligible | { code: 'E_NOT_OWN_CLIP'; title: string }

export interface DatasetInput {
  title: string
  description?: string
  sport?: string
  tags?: string
  licenceType: LicenceType
  price: number
}

/**
 * Datasets as creators and admins put them together: details, the clip selection, and
 * publication of immutable versions (dataset_publisher.ts).
 */
@inject()
export class DatasetService {
  constructor(
    protected settings: SettingsStore,
    protected publisher: DatasetPublisher
  ) {}

  /** Validation metadata: the instance's sports, price bounds and currency. */
  async formMeta(user: User): Promise<DatasetFormMeta> {
    const settings = await this.settings.all()
    return {
      sports: settings.sports,
      priceMinCents: settings.price_min_cents,
      priceMaxCents: settings.price_max_cents,
      currency: settings.currency,
      sportRequired: user.role !== 'admin',
    }
  }

  /** A creator's datasets; an admin sees every dataset (they curate and moderate). */
  async listFor(user: User) {
    const query = Dataset.query()
      .preload('owner')
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
    if (user.role !== 'admin') query.where('owner_id', user.id)
    const datasets = await query
    const counts = await db
      .from('dataset_clips')
      .whereIn(
        'dataset_id',
        datasets.map((dataset) => dataset.id)
      )
      .groupBy('dataset_id')
      .select('dataset_id')
      .count('* as total')
    const selected = new Map(counts.map((row) => [row.dataset_id as string, Number(row.total)]))
    return datasets.map((dataset) => ({ dataset, selectedClips: selected.get(dataset.id) ?? 0 }))
  }

  find(id: string) {
    return Dataset.findOrFail(id)
  }

  async create(user: User, input: DatasetInput) {
    const currency = await this.settings.get('currency')
    const dataset = await Dataset.create({
      ownerId: user.id,
      ...this.#fields(input),
      slug: this.#slug(input.title),
      currency,
      status: 'draft',
      curated: user.role === 'admin',
    })
    logger.info({ datasetId: dataset.id, userId: user.id }, 'dataset created')
    return dataset
  }

  /**
   * Details of a dataset. Title, description and tags show in the catalog at once; price and
   * licence type are frozen per version, so for a published dataset they apply at the next
   * publication. A switch of licence type that picked clips' consent does not cover is
   * refused, naming each clip that blocks it.
   */
  async update(
    dataset: Dataset,
    input: DatasetInput
  ): Promise<DatasetResult<Dataset, UpdateRefusal>> {
    if (input.licenceType !== dataset.licenceType) {
      const selection = await selectedClips(dataset)
      const eligibility = await eligibilityOf(selection, input.licenceType)
      const blocking = selection
        .map((clip) => eligibility.get(clip.id)!.refusal)
        .filter((refusal): refusal is Ineligible => refusal !== null)
      if (blocking.length) {
        return {
          ok: false,
          code: 'E_LICENCE_BLOCKED',
          type: input.licenceType,
          clipRefusals: blocking,
        }
      }
    }
    dataset.merge({ ...this.#fields(input), currency: await this.settings.get('currency') })
    await dataset.save()
    return { ok: true, value: dataset }
  }

  /**
   * Takes a published dataset off the catalog: no new sale or claim of any of its versions;
   * licences already issued, and their downloads, are unaffected. Publishing again relists it.
   */
  async unpublish(
    dataset: Dataset,
    actor: User,
    ip: string | null
  ): Promise<DatasetResult<Dataset, UnpublishRefusal>> {
    return db.transaction(async (trx) => {
      const locked = await Dataset.query({ client: trx })
        .where('id', dataset.id)
        .forUpdate()
        .firstOrFail()
      if (locked.status !== 'published')
        return { ok: false as const, code: 'E_NOT_PUBLISHED' as const }
      locked.status = 'archived'
      await locked.save()
      await new AuditTrail().record(
        {
          actorId: actor.id,
          action: 'dataset.unpublished',
          subject: { type: 'dataset', id: locked.id },
          meta: { title: locked.title, latestVersionId: locked.latestVersionId },
          ip,
        },
        trx
      )
      logger.info({ datasetId: locked.id, userId: actor.id }, 'dataset unpublished')
      return { ok: true as const, value: locked }
    })
  }

  #fields(input: DatasetInput) {
    return {
      title: input.title,
      description: input.description ?? '',
      sport: input.sport || null,
      tags: parseTags(input.tags),
      licenceType: input.licenceType,
      priceCents: Math.round(input.price * 100),
    }
  }

  #slug(title: string) {
    const base = title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 200)
    return `${base || 'dataset'}-${randomBytes(4).toString('hex')}`
  }

  /**
   * Everything the editor shows: details, the current selection, the clips that could be
   * added (greyed with the reason where their consent or status keeps them out of this
   * dataset's licence type), versions.
   */
  async editor(dataset: Dataset, user: User) {
    const selection = await selectedClips(dataset).preload('user')
    const selectedIds = new Set(selection.map((clip) => clip.id))
    // A creator picks from their own approved clips; an admin curates from every creator's.
    const approved = Clip.query()
      .where('status', 'approved')
      .preload('user')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(500)
    if (user.role !== 'admin') approved.where('user_id', dataset.ownerId)
    const approvedClips = await approved
    const candidates = approvedClips.filter((clip) => !selectedIds.has(clip.id))
    const eligibility = await eligibilityOf([...selection, ...candidates], dataset.licenceType)
    const versions = await DatasetVersion.query()
      .where('dataset_id', dataset.id)
      .orderBy('version', 'desc')
    // The reason beside a clip, in the words of the catalog of eligibility reasons.
    const problem = (clip: Clip) => {
      const refusal = eligibility.get(clip.id)!.refusal
      return refusal ? eligibilityErrors.describe(refusal) : null
    }
    return {
      dataset,
      selection: selection.map((clip) => ({ clip, problem: problem(clip) })),
      available: candidates.map((clip) => ({ clip, problem: problem(clip) })),
      versions,
      meta: await this.formMeta(user),
    }
  }

  /**
   * Replaces the clip selection. Every clip must be eligible for the dataset's licence type
   * (approved, and consented to licensing of that type) and, unless an admin curates, belong
   * to the dataset's owner: otherwise nothing changes and the refusal names the clip.
   * Clips already selected keep their order; new ones follow in the order given.
   */
  async setClips(
    dataset: Dataset,
    user: User,
    clipIds: string[]
  ): Promise<DatasetResult<{ count: number }, SetClipsRefusal>> {
    const wanted = [...new Set(clipIds)]
    return db.transaction(async (trx) => {
      const clips = wanted.length
        ? await Clip.query({ client: trx }).whereIn('id', wanted).forShare()
        : []
      const byId = new Map(clips.map((clip) => [clip.id, clip]))
      const eligibility = await eligibilityOf(clips, dataset.licenceType, trx)
      for (const id of wanted) {
        const clip = byId.get(id)
        if (!clip) return { ok: false as const, code: 'E_CLIP_MISSING' as const }
        if (user.role !== 'admin' && clip.userId !== dataset.ownerId)
          return { ok: false as const, code: 'E_NOT_OWN_CLIP' as const, title: clip.title }
        const refusal = eligibility.get(clip.id)!.refusal
        if (refusal) return { ok: false as const, ...refusal }
      }
      const current: { clip_id: string }[] = await trx
        .from('dataset_clips')
        .where('dataset_id', dataset.id)
        .orderBy('position')
        .select('clip_id')
      const kept = current.map((row) => row.clip_id).filter((id) => wanted.includes(id))
      const ordered = [...kept, ...wanted.filter((id) => !kept.includes(id))]
      await trx.from('dataset_clips').where('dataset_id', dataset.id).delete()
      if (ordered.length) {
        await trx
          .insertQuery()
          .table('dataset_clips')
          .multiInsert(
            ordered.map((clipId, position) => ({
              dataset_id: dataset.id,
              clip_id: clipId,
              position,
            }))
          )
      }
      await trx.from('datasets').where('id', dataset.id).update({ updated_at: new Date() })
      return { ok: true as const, value: { count: ordered.length } }
    })
  }

  /** Publishes the selection as the next version: dataset_publisher.ts. */
  publish(dataset: Dataset, actor: User | null = null, ip: string | null = null) {
    return this.publisher.publish(dataset, actor, ip)
  }
}
