import type { DateTime } from 'luxon'
import Clip from '#models/clip'
import ConsentRecord from '#models/consent_record'
import Dataset from '#models/dataset'
import DatasetVersion from '#models/dataset_version'
import type Licence from '#models/licence'
import LicenceText from '#models/licence_text'
import ProcessingRun from '#models/processing_run'
import type { SettingsStore } from '#app/core/settings_store'
import { undeliveredClipIds } from '#app/datasets/clip_eligibility'
import { parseManifest, type ExportClip } from '#app/datasets/manifest'

/** A clip of the version whose creator withdrew consent after it was published. */
export interface WithdrawnClip {
  id: string
  title: string
  withdrawnAt: DateTime | null
  paths: string[]
}

/** Everything an export of one licence is made from, read once from the database. */
export interface ExportPlan {
  licence: Licence
  /** The licence text the licence cites: LICENCE.md is its body, byte for byte. */
  terms: LicenceText
  version: DatasetVersion
  dataset: Dataset
  instanceName: string
  /** Clips still delivered, in manifest order. */
  clips: ExportClip[]
  withdrawn: WithdrawnClip[]
  consent: {
    clips: number
    self: number
    coached: number
    minors: number
    textVersions: string[]
    usages: string[]
  }
  models: { name: string; version: string }[]
}

/** Loads the version, its manifest, the clips' current status, consent and processing records. */
export async function loadExportPlan(
  licence: Licence,
  settings: SettingsStore
): Promise<ExportPlan> {
  const version = await DatasetVersion.findOrFail(licence.datasetVersionId)
  const dataset = await Dataset.findOrFail(version.datasetId)
  const manifestClips = parseManifest(version.manifest)
  const ids = manifestClips.map((clip) => clip.id)
  const rows = ids.length ? await Clip.query().whereIn('id', ids) : []
  const byId = new Map(rows.map((clip) => [clip.id, clip]))
  const undelivered = await undeliveredClipIds(ids, version.licenceType)

  const withdrawn: WithdrawnClip[] = []
  const clips: ExportClip[] = []
  for (const clip of manifestClips) {
    const row = byId.get(clip.id)
    if (row && undelivered.has(clip.id)) {
      withdrawn.push({
        id: clip.id,
        title: row.title,
        withdrawnAt: row.withdrawnAt,
        paths: clip.files.map((f) => f.path),
      })
    } else {
      clips.push(clip)
    }
  }

  const delivered = clips.map((clip) => clip.id)
  const grantIds = [
    ...new Set(
      delivered.map((id) => byId.get(id)?.consentRecordId).filter((id): id is number => !!id)
    ),
  ]
  const grants = grantIds.length ? await ConsentRecord.query().whereIn('id', grantIds) : []
  const grantOf = new Map(grants.map((grant) => [grant.id, grant]))
  const consent = {
    clips: 0,
    self: 0,
    coached: 0,
    minors: 0,
    textVersions: [] as string[],
    usages: [] as string[],
  }
  for (const id of delivered) {
    const grant = grantOf.get(byId.get(id)?.consentRecordId ?? -1)
    if (!grant) continue
    consent.clips++
    if (grant.subject === 'self') consent.self++
    if (grant.subject === 'coached_athletes') consent.coached++
    if (grant.subject === 'minor') consent.minors++
    if (grant.textVersion !== null) consent.textVersions.push(`v${grant.textVersion}`)
    consent.usages.push(grant.usage)
  }
  consent.textVersions = [...new Set(consent.textVersions)].sort()
  consent.usages = [...new Set(consent.usages)].sort()

  const runs = delivered.length
    ? await ProcessingRun.query()
        .whereIn('clip_id', delivered)
        .where('status', 'succeeded')
        .orderBy('attempt', 'desc')
    : []
  const models = new Map<string, string>()
  for (const run of runs) {
    for (const [name, value] of Object.entries(run.modelVersions ?? {}))
      if (!models.has(name)) models.set(name, value)
  }

  return {
    licence,
    terms: await LicenceText.findOrFail(licence.licenceTextId),
    version,
    dataset,
    instanceName: await settings.get('instance_name'),
    clips,
    withdrawn,
    consent,
    models: [...models]
      .map(([name, value]) => ({ name, version: value }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }
}

/** Every delivered file, manifest order. */
export function exportFiles(plan: ExportPlan) {
  return plan.clips.flatMap((clip) => clip.files)
}
