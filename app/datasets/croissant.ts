import type { ExportPlan } from '#app/datasets/export_plan'
import { croissantLicence } from '#app/datasets/licence_wording'
import {
  CLIP_OUTPUTS,
  DELIVERED_KINDS,
  deliveredGlob,
  type DeliveredKind,
} from '#workers/pipeline/outputs'

/** Each delivered kind's Croissant FileSet (paths and formats from the outputs' contract). */
const FILE_SETS: Record<DeliveredKind, { id: string; description: string }> = {
  video: { id: 'videos', description: 'Anonymized videos.' },
  keypoints: { id: 'keypoints', description: 'Pose keypoints per person and frame.' },
  metadata: { id: 'clip-metadata', description: 'Per-clip metadata and anonymization QA report.' },
  thumbnail: { id: 'thumbnails', description: 'One anonymized still per clip.' },
}

/** MLCommons Croissant 1.0 JSON-LD, with the responsible-AI (RAI) fields from our records. */
export function croissant(plan: ExportPlan, metadataSha256: string) {
  const { dataset, version, terms } = plan
  const licence = croissantLicence(terms)
  const field = (name: string, dataType: string, description: string) => ({
    '@type': 'cr:Field',
    '@id': `clips/${name}`,
    name,
    description,
    dataType,
    'source': { fileObject: { '@id': 'metadata-jsonl' }, extract: { column: name } },
  })
  const fileSet = (id: string, includes: string, encodingFormat: string, description: string) => ({
    '@type': 'cr:FileSet',
    '@id': id,
    'name': id,
    description,
    encodingFormat,
    includes,
  })
  return {
    '@context': CROISSANT_CONTEXT,
    '@type': 'sc:Dataset',
    'conformsTo': 'http://mlcommons.org/croissant/1.0',
    'name': dataset.title,
    'description': dataset.description || dataset.title,
    'version': `${version.version}.0.0`,
    'datePublished': version.publishedAt.toISODate(),
    'license': licence.license,
    'url': `urn:athera:dataset-version:${version.id}`,
    'keywords': dataset.tags,
    'creator': { '@type': 'sc:Organization', 'name': plan.instanceName },
    'citeAs': `${dataset.title} (version ${version.version}), ${plan.instanceName}, ${version.publishedAt.year}.`,
    'isLiveDataset': false,
    'distribution': [
      {
        '@type': 'cr:FileObject',
        '@id': 'licence',
        'name': 'LICENCE.md',
        'description': licence.licenceFileDescription,
        'contentUrl': 'LICENCE.md',
        'encodingFormat': 'text/markdown',
        'sha256': terms.sha256,
      },
      {
        '@type': 'cr:FileObject',
        '@id': 'metadata-jsonl',
        'name': 'metadata.jsonl',
        'description': 'One JSON line per clip (Hugging Face videofolder).',
        'contentUrl': 'metadata.jsonl',
        'encodingFormat': 'application/jsonlines',
        'sha256': metadataSha256,
      },
      ...DELIVERED_KINDS.map((kind) =>
        fileSet(
          FILE_SETS[kind].id,
          deliveredGlob(kind),
          CLIP_OUTPUTS[kind].contentType,
          FILE_SETS[kind].description
        )
      ),
    ],
    'recordSet': [
      {
        '@type': 'cr:RecordSet',
        '@id': 'clips',
        'name': 'clips',
        'description': 'One record per clip.',
        'key': { '@id': 'clips/clip_id' },
        'field': [
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
    'rai:dataCollection': `Videos recorded and uploaded by the athletes or coaches who appear in them (or their guardians), each under a signed, versioned consent record (${plan.consent.clips} clips; consent texts ${plan.consent.textVersions.join(', ') || 'on record'}), reviewed by an admin before publication.`,
    'rai:dataCollectionType': ['Direct contribution by the data subjects', 'Manual human curation'],
    'rai:dataCollectionRawData':
      'Original uploads are kept only by the instance (never delivered); this dataset holds the anonymized derivatives.',
    'rai:dataCollectionTimeframe': version.publishedAt.toISODate(),
    'rai:personalSensitiveInformation':
      'Faces (detected and pose-placed), shirt numbers and readable text were blurred in every frame; container metadata (GPS, device, dates) and audio were removed; no names or contact details are included. ' +
      `Bodies, movements and venues remain visible. ${plan.consent.minors} clips show minors, with a guardian's consent. Re-identification is forbidden by the licence.`,
    // The wording lives in the licence text only; this points at it rather than paraphrasing it.
    'rai:dataUseCases': licence.dataUseCases,
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
    'rai:dataBiases':
      'Contributors chose to upload; populations, venues and equipment reflect who uses this instance.',
  }
}

/** The Croissant 1.0 JSON-LD context (from the specification), with the RAI namespace. */
const CROISSANT_CONTEXT = {
  '@language': 'en',
  '@vocab': 'https://schema.org/',
  'citeAs': 'cr:citeAs',
  'column': 'cr:column',
  'conformsTo': 'dct:conformsTo',
  'cr': 'http://mlcommons.org/croissant/',
  'rai': 'http://mlcommons.org/croissant/RAI/',
  'data': { '@id': 'cr:data', '@type': '@json' },
  'dataType': { '@id': 'cr:dataType', '@type': '@vocab' },
  'dct': 'http://purl.org/dc/terms/',
  'examples': { '@id': 'cr:examples', '@type': '@json' },
  'extract': 'cr:extract',
  'field': 'cr:field',
  'fileProperty': 'cr:fileProperty',
  'fileObject': 'cr:fileObject',
  'fileSet': 'cr:fileSet',
  'format': 'cr:format',
  'includes': 'cr:includes',
  'isLiveDataset': 'cr:isLiveDataset',
  'jsonPath': 'cr:jsonPath',
  'key': 'cr:key',
  'md5': 'cr:md5',
  'parentField': 'cr:parentField',
  'path': 'cr:path',
  'recordSet': 'cr:recordSet',
  'references': 'cr:references',
  'regex': 'cr:regex',
  'repeated': 'cr:repeated',
  'replace': 'cr:replace',
  'sc': 'https://schema.org/',
  'separator': 'cr:separator',
  'source': 'cr:source',
  'subField': 'cr:subField',
  'transform': 'cr:transform',
}
