/**
 * When a folder's earlier outputs may be reused: the fingerprint of the input and the settings
 * that shape the outputs, and the hash of the clip's description that only metadata.json reads.
 */
import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import type { PipelineInput } from './run.js'
import { PIPELINE_VERSION } from './version.js'
import type { PipelineOptions } from './types.js'

/** A value's hash: a step's record keeps it to tell whether the value changed since. */
export function hashOf(value: unknown) {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex')
}

/**
 * What makes earlier outputs reusable: the same input (size plus its first and last MiB, cheap
 * even for a large file; mtime is useless, since a re-downloaded copy is new)
 * and the same settings that shape the video.
 */
export async function fingerprint(input: PipelineInput, options: PipelineOptions, size: number) {
  const hash = createHash('sha256')
  const handle = await open(input.inputPath, 'r')
  try {
    const chunk = Buffer.alloc(Math.min(size, 1024 * 1024))
    await handle.read(chunk, 0, chunk.length, 0)
    hash.update(chunk)
    await handle.read(chunk, 0, chunk.length, Math.max(0, size - chunk.length))
    hash.update(chunk)
  } finally {
    await handle.close()
  }
  const settings = {
    pipeline: PIPELINE_VERSION,
    clipId: input.clip.clipId,
    size,
    fps: options.fps,
    width: options.width,
    height: options.height,
    keepAudio: options.keepAudio,
    gop: options.gop,
    previewSeconds: options.previewSeconds,
    previewHeight: options.previewHeight,
    blur: options.blur ?? null,
    processors: options.processors.map((processor) => [processor.name, processor.version ?? null]),
    // A re-render's folder is never taken for a first run's, nor for another redaction's.
    rerender: input.rerender
      ? hashOf({ record: input.rerender.record, source: input.rerender.source })
      : null,
  }
  return hash.update(JSON.stringify(settings)).digest('hex')
}
