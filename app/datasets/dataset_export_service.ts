import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import { createHash } from 'node:crypto'
import type { DateTime } from 'luxon'
import Clip from '#models/clip'
import ConsentRecord from '#models/consent_record'
import Dataset from '#models/dataset'
import DatasetVersion from '#models/dataset_version'
import type Licence from '#models/licence'
import LicenceText from '#models/licence_text'
import ProcessingRun from '#models/processing_run'
import { exportErrors } from '#app/datasets/errors'
import { SettingsStore } from '#app/core/settings_store'
import { undeliveredClipIds } from '#app/datasets/clip_eligibility'
import { StorageService } from '#app/core/storage_service'
import { type ZipEntry, bufferEntry, zipStream } from '#app/core/zip_stream'
import { MANIFEST_FILES, type ManifestClip, type ManifestFile, type ManifestFileKind } from '#app/datasets/dataset_service'

/*
 * What a licence delivers: the files of its dataset version's immutable manifest, laid out so
 * ML tools load them as they are (Hugging Face videofolder, Croissant), with a dataset card and
 * SHA256SUMS. Raw footage is never part of it: a manifest naming the raw bucket is refused.
 */

/** The manifest's file kinds (its writer, DatasetService, owns the list). */
export const EXPORT_FILE_KINDS = Object.keys(MANIFEST_FILES) as ManifestFileKind[]
export type ExportFileKind = ManifestFileKind
const DELIVERABLE_BUCKETS = ['processed', 'previews'] as const
type DeliverableBucket = (typeof DELIVERABLE_BUCKETS)[number]
const PATH_PATTERN = /^(videos|keypoints|metadata|thumbnails)\/[A-Za-z0-9][A-Za-z0-9._-]*$/

/** A manifest file once checked: only buckets a buyer may receive. */
export type ExportFile = ManifestFile & { bucket: DeliverableBucket }

export interface ExportClip extends Omit<ManifestClip, 'files'> {
  files: ExportFile[]
}

/** A clip of the version whose creator withdrew consent after it was published. */
export interface WithdrawnClip {
  id: string
  title: string
  withdrawnAt: DateTime | null
  paths: string[]
}

/** Reads `dataset_versions.manifest` (format 1), refusing anything it would be unsafe to serve. */
export function parseManifest(manifest: unknown): ExportClip[] {
  const fail = (why: string): never => {
    throw exportErrors.raise('E_MANIFEST_INVALID', undefined, { detail: why })
  }
  const value = manifest as { format?: unknown; clips?: unknown }
  if (!value || typeof value !== 'object' || value.format !== 1 || !Array.isArray(value.clips)) {
    fail('not a format 1 manifest')
  }
  const paths = new Set<string>()
  return (value.clips as Record<string, unknown>[]).map((clip, index) => {
    if (!clip || typeof clip.id !== 'string' || !Array.isArray(clip.files)) fail(`clip #${index} has no id or files`)
    const files = (clip.files as Record<string, unknown>[]).map((file) => {
      const ok =
        file &&
        (EXPORT_FILE_KINDS as readonly unknown[]).includes(file.kind) &&
        (DELIVERABLE_BUCKETS as readonly unknown[]).includes(file.bucket) &&
        typeof file.key === 'string' &&
        file.key.length > 0 &&
        Number.isSafeInteger(file.bytes) &&
        (file.bytes as number) >= 0 &&
        typeof file.sha256 === 'string' &&
        /^[0-9a-f]{64}$/.test(file.sha256) &&
        typeof file.path === 'string' &&
        PATH_PATTERN.test(file.path)
      if (!ok) fail(`clip ${clip.id as string} lists a file that is not a deliverable asset`)
      if (paths.has(file.path as string)) fail(`${file.path as string} is listed twice`)
      paths.add(file.path as string)
      return file as unknown as ExportFile
    })
    return {
      id: clip.id as string,
      position: Number(clip.position ?? index),
      seconds: Number(clip.seconds ?? 0),
      title: String(clip.title ?? ''),
      sport: String(clip.sport ?? ''),
      activity: (clip.activity as string | null) ?? null,
      skill_level: (clip.skill_level as string | null) ?? null,
      camera_angle: (clip.camera_angle as string | null) ?? null,
      duration_ms: Number(clip.duration_ms ?? 0),
      files,
    }
  })
}

/** What a clip is, as metadata.jsonl and the API describe it (no files, no storage keys). */
export function clipFacts(clip: ExportClip) {
  return {
    position: clip.position,
    title: clip.title,
    sport: clip.sport,
    activity: clip.activity,
    skill_level: clip.skill_level,
    camera_angle: clip.camera_angle,
    duration_ms: clip.duration_ms,
  }
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
  consent: { clips: number; self: number; coached: number; minors: number; textVersions: string[]; usages: string[] }
  models: { name: string; version: string }[]
}

@inject()
export class DatasetExportService {
  constructor(
    protected storage: StorageService,
    protected settings: SettingsStore
  ) {}

  /** Loads the version, its manifest, the clips' current status, consent and processing records. */
  async plan(licence: Licence): Promise<ExportPlan> {
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
        withdrawn.push({ id: clip.id, title: row.title, withdrawnAt: row.withdrawnAt, paths: clip.files.map((f) => f.path) })
      } else {
        clips.push(clip)
      }
    }

    const delivered = clips.map((clip) => clip.id)
    const grantIds = [...new Set(delivered.map((id) => byId.get(id)?.consentRecordId).filter((id): id is number => !!id))]
    const grants = grantIds.length ? await ConsentRecord.query().whereIn('id', grantIds) : []
    const grantOf = new Map(grants.map((grant) => [grant.id, grant]))
    const consent = { clips: 0, self: 0, coached: 0, minors: 0, textVersions: [] as string[], usages: [] as string[] }
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
      ? await ProcessingRun.query().whereIn('clip_id', delivered).where('status', 'succeeded').orderBy('attempt', 'desc')
      : []
    const models = new Map<string, string>()
    for (const run of runs) {
      for (const [name, value] of Object.entries(run.modelVersions ?? {})) if (!models.has(name)) models.set(name, value)
    }

    return {
      licence,
      terms: await LicenceText.findOrFail(licence.licenceTextId),
      version,
      dataset,
      instanceName: await this.settings.get('instance_name'),
      clips,
      withdrawn,
      consent,
      models: [...models].map(([name, value]) => ({ name, version: value })).sort((a, b) => a.name.localeCompare(b.name)),
    }
  }

  /** Every delivered file, manifest order. */
  files(plan: ExportPlan) {
    return plan.clips.flatMap((clip) => clip.files)
  }

  /** `<slug>-v<n>.zip` */
  archiveName(plan: ExportPlan) {
    return `${plan.dataset.slug}-v${plan.version.version}.zip`
  }

  /**
   * The ZIP as a stream: generated documents first (their hashes are known before they go
   * out), then each object straight from storage, its size and sha256 checked against the
   * manifest as it passes. A mismatch or a missing object aborts the stream.
   */
  zip(plan: ExportPlan, onFailure: (error: Error) => void = () => {}) {
    const documents = this.documents(plan)
    const storage = this.storage
    const licenceId = plan.licence.id
    const fileEntries = this.files(plan).map(
      (file): ZipEntry => ({
        name: file.path,
        method: file.kind === 'video' || file.kind === 'thumbnail' ? 'store' : 'deflate',
        size: file.bytes,
        open: async () => {
          try {
            return await storage.getStream(file.bucket, file.key)
          } catch (error) {
            const code = (error as { code?: string }).code
            if (code === 'NoSuchKey' || code === 'NotFound') {
              throw exportErrors.raise('E_OBJECT_MISSING', undefined, { detail: `${file.path} (${file.bucket}/${file.key}) is not in storage` })
            }
            throw error
          }
        },
        verify: (result) => {
          if (result.size !== file.bytes) {
            throw exportErrors.raise('E_SIZE_MISMATCH', undefined, { detail: `${file.path} has ${result.size} bytes, the manifest says ${file.bytes}` })
          }
          if (result.sha256 !== file.sha256) {
            throw exportErrors.raise('E_SHA256_MISMATCH', undefined, { detail: `${file.path} does not match its manifest sha256` })
          }
        },
      })
    )
    const stream = zipStream([...documents.map((doc) => bufferEntry(doc.path, doc.data)), ...fileEntries], {
      mtime: plan.version.publishedAt.toJSDate(),
    })
    stream.once('error', (error) => {
      logger.error({ err: error, licenceId, versionId: plan.version.id }, 'dataset ZIP aborted')
      onFailure(error)
    })
    return stream
  }

  /**
   * LICENCE.md, README.md, croissant.json, metadata.jsonl and SHA256SUMS, in the order the ZIP
   * holds them. LICENCE.md is exactly the text the licence cites, so its sha256 is the one on
   * the licence; anything said about it goes in README.md.
   */
  documents(plan: ExportPlan) {
    const jsonl = this.metadataJsonl(plan)
    const readme = this.readme(plan)
    const croissant = JSON.stringify(this.croissant(plan, sha256(jsonl)), null, 2) + '\n'
    const generated = [
      { path: 'LICENCE.md', data: Buffer.from(plan.terms.body, 'utf8') },
      { path: 'README.md', data: Buffer.from(readme) },
      { path: 'croissant.json', data: Buffer.from(croissant) },
      { path: 'metadata.jsonl', data: Buffer.from(jsonl) },
    ]
    const sums = [
      ...generated.map((doc) => `${sha256(doc.data)}  ${doc.path}`),
      ...this.files(plan).map((file) => `${file.sha256}  ${file.path}`),
    ].join('\n')
    return [...generated, { path: 'SHA256SUMS', data: Buffer.from(sums + '\n') }]
  }

  /** Hugging Face videofolder: one line per clip, `file_name` relative to this file. */
  metadataJsonl(plan: ExportPlan) {
    const lines = plan.clips
      .map((clip) => {
        const path = (kind: ExportFileKind) => clip.files.find((file) => file.kind === kind)?.path ?? null
        const video = path('video')
        if (!video) return null
        return JSON.stringify({
          file_name: video,
          clip_id: clip.id,
          ...clipFacts(clip),
          keypoints_file: path('keypoints'),
          metadata_file: path('metadata'),
          thumbnail_file: path('thumbnail'),
        })
      })
      .filter((line): line is string => line !== null)
    return lines.length ? lines.join('\n') + '\n' : ''
  }

  /** The dataset card: contents, anonymization, consent, licence terms, citation. */
  readme(plan: ExportPlan) {
    const { dataset, version, licence, terms } = plan
    const stats = version.stats
    const minutes = (stats.duration_ms / 60_000).toFixed(1)
    const tags = dataset.tags.length ? dataset.tags : [dataset.sport ?? 'sports']
    const lines = [
      '---',
      `pretty_name: ${JSON.stringify(dataset.title)}`,
      'license: other',
      `license_name: ${JSON.stringify(terms.title)}`,
      'license_link: LICENCE.md',
      'task_categories:',
      '  - video-classification',
      '  - keypoint-detection',
      'tags:',
      ...tags.map((tag) => `  - ${JSON.stringify(tag)}`),
      'configs:',
      '  - config_name: default',
      '    data_files: metadata.jsonl',
      '---',
      '',
      `# ${dataset.title} (version ${version.version})`,
      '',
      dataset.description || 'No description was given.',
      '',
      '## Contents',
      '',
      `- ${plan.clips.length} clips, ${minutes} minutes in all; ${stats.people} people; ${stats.keypoint_frames} frames with keypoints (figures at publication).`,
      `- Published ${version.publishedAt.toISODate()} by ${plan.instanceName}; manifest sha256 \`${version.manifestSha256}\`.`,
      '- `videos/<clip>.mp4`: anonymized H.264 video, constant frame rate, metadata and audio stripped.',
      '- `keypoints/<clip>.json`: pose keypoints per person and frame, raw and smoothed (athera keypoints schema).',
      '- `metadata/<clip>.json`: clip facts, processing settings, model versions and the anonymization QA report.',
      '- `thumbnails/<clip>.jpg`: one anonymized still per clip.',
      '- `metadata.jsonl`: one line per clip (Hugging Face `videofolder` layout: `load_dataset("videofolder", data_dir=".")`).',
      '- `croissant.json`: MLCommons Croissant 1.0 description with responsible-AI fields.',
      '- `LICENCE.md`: the licence terms this copy is licensed under, exactly as agreed.',
      '- `SHA256SUMS`: check the copy with `sha256sum -c SHA256SUMS`.',
      '',
    ]
    if (plan.withdrawn.length) {
      lines.push(
        '## Withdrawn clips',
        '',
        'Creators withdrew consent for these clips after this version was published. They are not in this download; delete them from any earlier copy:',
        '',
        ...plan.withdrawn.map((clip) => `- ${clip.id} (${clip.title}), withdrawn ${clip.withdrawnAt?.toISODate() ?? ''}: ${clip.paths.join(', ')}`),
        ''
      )
    }
    lines.push(
      '## How the data was collected',
      '',
      `Every clip was uploaded by its creator (an athlete or coach) with a signed consent record citing the exact consent text (${plan.consent.textVersions.join(', ') || 'version on record'}). ` +
        `Of ${plan.consent.clips} clips, ${plan.consent.self} show the creator, ${plan.consent.coached} show athletes coached by the creator, ${plan.consent.minors} show a minor with a guardian's consent. ` +
        `Usage consented to: ${plan.consent.usages.join(', ') || '—'}. Each clip was reviewed by an admin before it could enter a dataset.`,
      '',
      '## How it was anonymized',
      '',
      'Faces (detected, and placed from pose landmarks where no face is detected), shirt numbers and other readable text were blurred in every frame, with tracking between detections so no frame slips through. ' +
        'The video was re-encoded once, with container metadata (GPS, device, dates) and audio removed. Original uploads are never delivered.',
      '',
      ...(plan.models.length ? ['Models used:', '', ...plan.models.map((model) => `- ${model.name}: ${model.version}`), ''] : []),
      '## Licence',
      '',
      `${terms.title}, version ${terms.version}, licence \`${licence.id}\`. The full text you agreed to is in \`LICENCE.md\` ` +
        `(sha256 \`${terms.sha256}\`, the hash your licence records).`,
      '',
      '- When a creator withdraws consent, the clip must be deleted from your copies; your licence page lists such clips.',
      '',
      '## Citation',
      '',
      '```bibtex',
      `@misc{${dataset.slug.replace(/[^a-z0-9]/g, '_')}_v${version.version},`,
      `  title = {${dataset.title} (version ${version.version})},`,
      `  author = {{${plan.instanceName}} contributors},`,
      `  year = {${version.publishedAt.year}},`,
      `  note = {Dataset version ${version.id}, manifest sha256 ${version.manifestSha256}}`,
      '}',
      '```',
      ''
    )
    return lines.join('\n')
  }

  /** MLCommons Croissant 1.0 JSON-LD, with the responsible-AI (RAI) fields from our records. */
  croissant(plan: ExportPlan, metadataSha256: string) {
    const { dataset, version, terms } = plan
    const field = (name: string, dataType: string, description: string) => ({
      '@type': 'cr:Field',
      '@id': `clips/${name}`,
      name,
      description,
      dataType,
      source: { fileObject: { '@id': 'metadata-jsonl' }, extract: { column: name } },
    })
    const fileSet = (id: string, includes: string, encodingFormat: string, description: string) => ({
      '@type': 'cr:FileSet',
      '@id': id,
      name: id,
      description,
      encodingFormat,
      includes,
    })
    return {
      '@context': CROISSANT_CONTEXT,
      '@type': 'sc:Dataset',
      conformsTo: 'http://mlcommons.org/croissant/1.0',
      name: dataset.title,
      description: dataset.description || dataset.title,
      version: `${version.version}.0.0`,
      datePublished: version.publishedAt.toISODate(),
      license: `${terms.title}, version ${terms.version}, sha256 ${terms.sha256}: full text in LICENCE.md`,
      url: `urn:athera:dataset-version:${version.id}`,
      keywords: dataset.tags,
      creator: { '@type': 'sc:Organization', name: plan.instanceName },
      citeAs: `${dataset.title} (version ${version.version}), ${plan.instanceName}, ${version.publishedAt.year}.`,
      isLiveDataset: false,
      distribution: [
        {
          '@type': 'cr:FileObject',
          '@id': 'licence',
          name: 'LICENCE.md',
          description: `The licence text the licence cites (${terms.title}, version ${terms.version}).`,
          contentUrl: 'LICENCE.md',
          encodingFormat: 'text/markdown',
          sha256: terms.sha256,
        },
        {
          '@type': 'cr:FileObject',
          '@id': 'metadata-jsonl',
          name: 'metadata.jsonl',
          description: 'One JSON line per clip (Hugging Face videofolder).',
          contentUrl: 'metadata.jsonl',
          encodingFormat: 'application/jsonlines',
          sha256: metadataSha256,
        },
        fileSet('videos', 'videos/*.mp4', 'video/mp4', 'Anonymized videos.'),
        fileSet('keypoints', 'keypoints/*.json', 'application/json', 'Pose keypoints per person and frame.'),
        fileSet('clip-metadata', 'metadata/*.json', 'application/json', 'Per-clip metadata and anonymization QA report.'),
        fileSet('thumbnails', 'thumbnails/*.jpg', 'image/jpeg', 'One anonymized still per clip.'),
      ],
      recordSet: [
        {
          '@type': 'cr:RecordSet',
          '@id': 'clips',
          name: 'clips',
          description: 'One record per clip.',
          key: { '@id': 'clips/clip_id' },
          field: [
            field('file_name', 'sc:Text', 'Path of the video, relative to the archive root.'),
            field('clip_id', 'sc:Text', 'Clip identifier.'),
            field('position', 'sc:Integer', 'Order of the clip in the version.'),
            field('title', 'sc:Text', 'Title given by the creator.'),
            field('sport', 'sc:Text', 'Sport.'),
            field('activity', 'sc:Text', 'Activity or drill.'),
            field('skill_level', 'sc:Text', 'Skill level declared by the creator.'),
            field('camera_angle', 'sc:Text', 'Camera angle.'),
            field('duration_ms', 'sc:Integer', 'Duration in milliseconds.'),
            field('keypoints_file', 'sc:Text', 'Path of the keypoints JSON.'),
            field('metadata_file', 'sc:Text', 'Path of the clip metadata JSON.'),
            field('thumbnail_file', 'sc:Text', 'Path of the thumbnail.'),
          ],
        },
      ],
      'rai:dataCollection':
        `Videos recorded and uploaded by the athletes or coaches who appear in them (or their guardians), each under a signed, versioned consent record (${plan.consent.clips} clips; consent texts ${plan.consent.textVersions.join(', ') || 'on record'}), reviewed by an admin before publication.`,
      'rai:dataCollectionType': ['Direct contribution by the data subjects', 'Manual human curation'],
      'rai:dataCollectionRawData': 'Original uploads are kept only by the instance (never delivered); this dataset holds the anonymized derivatives.',
      'rai:dataCollectionTimeframe': version.publishedAt.toISODate(),
      'rai:personalSensitiveInformation':
        'Faces (detected and pose-placed), shirt numbers and readable text were blurred in every frame; container metadata (GPS, device, dates) and audio were removed; no names or contact details are included. ' +
        `Bodies, movements and venues remain visible. ${plan.consent.minors} clips show minors, with a guardian's consent. Re-identification is forbidden by the licence.`,
      // The wording lives in the licence text only; this points at it rather than paraphrasing it.
      'rai:dataUseCases': `The uses that ${terms.title}, version ${terms.version}, allows and forbids: see LICENCE.md (sha256 ${terms.sha256}).`,
      'rai:dataAnnotationProtocol':
        'Pose keypoints and person tracks were produced automatically by the anonymization pipeline (MediaPipe BlazePose, BlazeFace, PP-OCR text detection, run with onnxruntime), raw and smoothed; clip fields (sport, activity, skill level, camera angle) were declared by the creator; each clip was reviewed by an admin.',
      'rai:dataAnnotationPlatform': `${plan.instanceName} (Athera) processing pipeline`,
      'rai:machineAnnotationTools': plan.models.map((model) => `${model.name} ${model.version}`),
      'rai:dataPreprocessingProtocol':
        'Each upload was probed, decoded once, anonymized frame by frame and re-encoded as H.264 at a constant frame rate; every delivered file is listed with its sha256 in the version manifest.',
      'rai:dataReleaseMaintenancePlan':
        'Versions are immutable. When a creator withdraws consent, later versions leave the clip out and holders of earlier versions are told to delete it.',
      'rai:dataLimitations':
        'Small, creator-contributed sample: sports, skill levels and camera angles are not balanced; keypoints are model output, not ground truth.',
      'rai:dataBiases': 'Contributors chose to upload; populations, venues and equipment reflect who uses this instance.',
    }
  }
}

function sha256(data: string | Buffer) {
  return createHash('sha256').update(data).digest('hex')
}

/** The Croissant 1.0 JSON-LD context (from the specification), with the RAI namespace. */
const CROISSANT_CONTEXT = {
  '@language': 'en',
  '@vocab': 'https://schema.org/',
  citeAs: 'cr:citeAs',
  column: 'cr:column',
  conformsTo: 'dct:conformsTo',
  cr: 'http://mlcommons.org/croissant/',
  rai: 'http://mlcommons.org/croissant/RAI/',
  data: { '@id': 'cr:data', '@type': '@json' },
  dataType: { '@id': 'cr:dataType', '@type': '@vocab' },
  dct: 'http://purl.org/dc/terms/',
  examples: { '@id': 'cr:examples', '@type': '@json' },
  extract: 'cr:extract',
  field: 'cr:field',
  fileProperty: 'cr:fileProperty',
  fileObject: 'cr:fileObject',
  fileSet: 'cr:fileSet',
  format: 'cr:format',
  includes: 'cr:includes',
  isLiveDataset: 'cr:isLiveDataset',
  jsonPath: 'cr:jsonPath',
  key: 'cr:key',
  md5: 'cr:md5',
  parentField: 'cr:parentField',
  path: 'cr:path',
  recordSet: 'cr:recordSet',
  references: 'cr:references',
  regex: 'cr:regex',
  repeated: 'cr:repeated',
  replace: 'cr:replace',
  sc: 'https://schema.org/',
  separator: 'cr:separator',
  source: 'cr:source',
  subField: 'cr:subField',
  transform: 'cr:transform',
}
