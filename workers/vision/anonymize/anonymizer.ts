/**
 * The anonymization of one still frame, exactly as the pipeline does it (pose finds the
 * people, then faces and text are detected and blurred), for the privacy evaluation
 * (eval/privacy.ts) and for checks on single pictures. Detection runs on the frame itself:
 * there is no earlier frame to track from.
 */
import type { Frame } from '../../pipeline/types.js'
import {
  AnonymizeProcessor,
  createVisionProcessors,
  loadVisionModels,
  type ClipHints,
} from '../processors.js'
import { VisionRuntime } from '../runtime/runtime.js'
import { resolveVisionSettings, type VisionOverrides } from '../settings.js'
import type { Detection } from '../types.js'

export interface AnonymizeResult {
  faces: Detection[]
  text: (Detection & { text: string })[]
}

export async function createAnonymizer(options: {
  cacheDir: string
  threads?: number
  settings?: Omit<VisionOverrides, 'cacheDir'>
}) {
  const settings = resolveVisionSettings({
    ...options.settings,
    cacheDir: options.cacheDir,
    threads: options.threads,
    detectEvery: 1,
  })
  const runtime = new VisionRuntime({ threads: settings.threads, provider: settings.provider })
  const models = await loadVisionModels(runtime, settings)
  return {
    /** `clip.sport`: the picture as a frame of a clip of that sport (see ClipHints). */
    async anonymize(frame: Frame, clip: Omit<ClipHints, 'still'> = {}): Promise<AnonymizeResult> {
      // New processors per picture: nothing carries over from an unrelated picture.
      const processors = createVisionProcessors(models, settings, { ...clip, still: true })
      for (const processor of processors) await processor.process({ ...frame, index: 0, timeMs: 0 })
      const anonymizer = processors.find(
        (processor) => processor instanceof AnonymizeProcessor
      ) as AnonymizeProcessor
      const read = anonymizer.last.read
      return {
        faces: anonymizer.last.faces.map(({ x, y, width, height, score }) => ({
          x,
          y,
          width,
          height,
          score,
        })),
        text: anonymizer.last.text.map(({ x, y, width, height, score }) => ({
          x,
          y,
          width,
          height,
          score,
          text: read.find((found) => overlaps(found, { x, y, width, height }))?.text ?? '',
        })),
      }
    },
    close: () => runtime.close(),
  }
}

function overlaps(
  a: Detection | { x: number; y: number; width: number; height: number },
  b: typeof a
) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}
