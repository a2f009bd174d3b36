/**
 * The contract for a clip's outputs: what the pipeline writes, where the application stores
 * each file, and which a buyer receives and under which path. The pipeline (run.ts), processing
 * (where outputs are stored), redaction, datasets (the manifest) and exports (the manifest's
 * checks) all read this table, so a new output or a moved one is one edit here.
 *
 * Plain TypeScript like the rest of workers/: bucket names are string literals, and the
 * application's storage checks at compile time that it has each of them.
 */

/** Where a delivered output goes in a download: `<folder>/<clip id>.<extension>`. */
export interface DeliveredAs {
  folder: string
  extension: string
}

export interface OutputSpec {
  /** The file's name in the pipeline's folder and at the end of its storage key. */
  file: string
  bucket: string
  contentType: string
  /** Its place in a buyer's download; null: stored with the clip, never delivered. */
  delivered: DeliveredAs | null
}

/**
 * Anonymized data in `processed`, catalog media in `previews`. `regions` (what was blurred,
 * frame by frame) is for reviewers only: stored with the clip but never listed in
 * metadata.json, a dataset manifest or an export. Previews are catalog teasers, not data.
 * The delivered kinds keep this order in every manifest.
 */
export const CLIP_OUTPUTS = {
  video: {
    file: 'video.mp4',
    bucket: 'processed',
    contentType: 'video/mp4',
    delivered: { folder: 'videos', extension: 'mp4' },
  },
  keypoints: {
    file: 'keypoints.json',
    bucket: 'processed',
    contentType: 'application/json',
    delivered: { folder: 'keypoints', extension: 'json' },
  },
  regions: {
    file: 'regions.json',
    bucket: 'processed',
    contentType: 'application/json',
    delivered: null,
  },
  metadata: {
    file: 'metadata.json',
    bucket: 'processed',
    contentType: 'application/json',
    delivered: { folder: 'metadata', extension: 'json' },
  },
  thumbnail: {
    file: 'thumbnail.jpg',
    bucket: 'previews',
    contentType: 'image/jpeg',
    delivered: { folder: 'thumbnails', extension: 'jpg' },
  },
  preview: { file: 'preview.mp4', bucket: 'previews', contentType: 'video/mp4', delivered: null },
} as const satisfies Record<string, OutputSpec>

type Outputs = typeof CLIP_OUTPUTS
export type OutputKind = keyof Outputs
/** The buckets outputs are stored in (the application's storage must have each). */
export type OutputBucket = Outputs[OutputKind]['bucket']
/** The outputs a buyer receives. */
export type DeliveredKind = {
  [K in OutputKind]: Outputs[K]['delivered'] extends null ? never : K
}[OutputKind]

export const OUTPUT_KINDS = Object.keys(CLIP_OUTPUTS) as OutputKind[]

function isDelivered(kind: OutputKind): kind is DeliveredKind {
  return CLIP_OUTPUTS[kind].delivered !== null
}

/** The delivered kinds, in the table's order (a manifest lists a clip's files in this order). */
export const DELIVERED_KINDS: readonly DeliveredKind[] = OUTPUT_KINDS.filter(isDelivered)

/** The buckets a download may read from. */
export const DELIVERED_BUCKETS: readonly OutputBucket[] = [
  ...new Set(DELIVERED_KINDS.map((kind) => CLIP_OUTPUTS[kind].bucket)),
]

/** `video`, clip id → `videos/<clip id>.mp4`. */
export function deliveredPath(kind: DeliveredKind, clipId: string) {
  const { folder, extension } = CLIP_OUTPUTS[kind].delivered
  return `${folder}/${clipId}.${extension}`
}

/** `video` → `videos/*.mp4`: every path of one kind in a download. */
export function deliveredGlob(kind: DeliveredKind) {
  const { folder, extension } = CLIP_OUTPUTS[kind].delivered
  return `${folder}/*.${extension}`
}

/**
 * What a manifest may name as a delivered path: a delivered kind's folder, then one plain file
 * name (no `..`, no further folder), so a stored manifest can never make a ZIP entry outside it.
 */
export const DELIVERED_PATH = new RegExp(
  `^(${DELIVERED_KINDS.map((kind) => CLIP_OUTPUTS[kind].delivered.folder).join('|')})\\/[A-Za-z0-9][A-Za-z0-9._-]*$`
)
