import { createHash } from 'node:crypto'
import { croissant } from '#app/datasets/croissant'
import { datasetCard } from '#app/datasets/dataset_card'
import { exportFiles, type ExportPlan } from '#app/datasets/export_plan'
import { clipFacts, type ExportFileKind } from '#app/datasets/manifest'

/**
 * LICENCE.md, README.md, croissant.json, metadata.jsonl and SHA256SUMS, in the order the ZIP
 * holds them. LICENCE.md is exactly the text the licence cites, so its sha256 is the one on
 * the licence; anything said about it goes in README.md.
 */
export function exportDocuments(plan: ExportPlan) {
  const jsonl = metadataJsonl(plan)
  const readme = datasetCard(plan)
  const description = JSON.stringify(croissant(plan, sha256(jsonl)), null, 2) + '\n'
  const generated = [
    { path: 'LICENCE.md', data: Buffer.from(plan.terms.body, 'utf8') },
    { path: 'README.md', data: Buffer.from(readme) },
    { path: 'croissant.json', data: Buffer.from(description) },
    { path: 'metadata.jsonl', data: Buffer.from(jsonl) },
  ]
  const sums = [
    ...generated.map((doc) => `${sha256(doc.data)}  ${doc.path}`),
    ...exportFiles(plan).map((file) => `${file.sha256}  ${file.path}`),
  ].join('\n')
  return [...generated, { path: 'SHA256SUMS', data: Buffer.from(sums + '\n') }]
}

/** Hugging Face videofolder: one line per clip, `file_name` relative to this file. */
export function metadataJsonl(plan: ExportPlan) {
  const lines = plan.clips
    .map((clip) => {
      const path = (kind: ExportFileKind) =>
        clip.files.find((file) => file.kind === kind)?.path ?? null
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

function sha256(data: string | Buffer) {
  return createHash('sha256').update(data).digest('hex')
}
