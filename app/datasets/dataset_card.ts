import type { ExportPlan } from '#app/datasets/export_plan'
import { cardLicenceSection } from '#app/datasets/licence_wording'
import { DELIVERED_KINDS, deliveredPath, type DeliveredKind } from '#workers/pipeline/outputs'

/** What each delivered file is, as the card lists them (paths from the outputs' contract). */
const CONTENTS: Record<DeliveredKind, string> = {
  video: 'anonymized H.264 video, constant frame rate, metadata and audio stripped.',
  keypoints: 'pose keypoints per person and frame, raw and smoothed (athera keypoints schema).',
  metadata: 'clip facts, processing settings, model versions and the anonymization QA report.',
  thumbnail: 'one anonymized still per clip.',
}

/** The dataset card: contents, anonymization, consent, licence terms, citation. */
export function datasetCard(plan: ExportPlan) {
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
    ...DELIVERED_KINDS.map((kind) => `- \`${deliveredPath(kind, '<clip>')}\`: ${CONTENTS[kind]}`),
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
      ...plan.withdrawn.map(
        (clip) =>
          `- ${clip.id} (${clip.title}), withdrawn ${clip.withdrawnAt?.toISODate() ?? ''}: ${clip.paths.join(', ')}`
      ),
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
    ...(plan.models.length
      ? ['Models used:', '', ...plan.models.map((model) => `- ${model.name}: ${model.version}`), '']
      : []),
    ...cardLicenceSection(terms, licence),
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
