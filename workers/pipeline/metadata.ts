/** metadata.json as the metadata step writes it for a first run. */
import type { SourceInfo } from './source.js'
import type { StandardizeResult } from './standardize.js'
import { METADATA_SCHEMA, PIPELINE_NAME, PIPELINE_VERSION } from './version.js'
import type { ClipDescription, PipelineOptions } from './types.js'

interface MetadataParts {
  clip: ClipDescription
  options: PipelineOptions
  source: SourceInfo
  output: StandardizeResult
  files: Record<string, { bytes: number; sha256: string }>
  timings: Record<string, number>
  ffmpeg: string
}

/**
 * metadata.json. Its `files` lists every other output's hash; its own hash cannot be inside it
 * (writing it would change it), so the job records that one beside the asset instead.
 */
export function buildMetadata(parts: MetadataParts) {
  const { clip, options, source, output } = parts
  const statsFor = (role?: 'anonymization' | 'pose') =>
    Object.fromEntries(
      options.processors
        .filter((processor) => processor.role === role && output.processorStats[processor.name])
        .map((processor) => [processor.name, output.processorStats[processor.name]])
    )
  return {
    schema: METADATA_SCHEMA,
    clipId: clip.clipId,
    title: clip.title ?? null,
    sport: clip.sport ?? null,
    activity: clip.activity ?? null,
    skillLevel: clip.skillLevel ?? null,
    cameraAngle: clip.cameraAngle ?? null,
    venueType: clip.venueType ?? null,
    recordedOn: clip.recordedOn ?? null,
    tags: clip.tags ?? [],
    source,
    output: {
      codec: 'h264',
      width: options.width,
      height: options.height,
      fps: options.fps,
      durationSeconds: Math.round(output.durationSeconds * 1000) / 1000,
      frameCount: output.frameCount,
      audio: output.audio,
    },
    files: parts.files,
    consent: {
      recordId: clip.consentRecordId ?? null,
      textVersion: clip.consentTextVersion ?? null,
    },
    pipeline: { name: PIPELINE_NAME, version: PIPELINE_VERSION, ffmpeg: parts.ffmpeg },
    settings: { gop: options.gop, keepAudio: options.keepAudio, blur: options.blur ?? null },
    models: options.processors
      .filter((processor) => processor.version)
      .map((processor) => ({ name: processor.name, version: processor.version! })),
    timings: parts.timings,
    anonymization: statsFor('anonymization'),
    pose: statsFor('pose'),
    processors: statsFor(undefined),
    createdAt: new Date().toISOString(),
  }
}
