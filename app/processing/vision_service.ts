import logger from '@adonisjs/core/services/logger'
import config from '#config/athera'
import { PipelineError, type FrameProcessor } from '#workers/pipeline/types'
import { VisionThread } from '#workers/vision/runtime/thread'
import { DEFAULT_VISION_SETTINGS, type VisionSettings } from '#workers/vision/settings'

/**
 * The worker process's models: loaded on the first clip into a worker thread (./thread.ts: the
 * JavaScript around the models must not hold up HTTP requests or BullMQ's locks), then shared by
 * every clip this process handles. Each clip gets its own processors there, which hold its
 * trackers and statistics.
 */
let shared: VisionThread | undefined

export function visionSettings(): VisionSettings {
  const { vision } = config
  return {
    ...DEFAULT_VISION_SETTINGS,
    ...vision,
    threads: vision.threads ?? DEFAULT_VISION_SETTINGS.threads,
    detectEvery: vision.detectEvery ?? DEFAULT_VISION_SETTINGS.detectEvery,
  }
}

export class VisionService {
  /**
   * Fresh processors for one clip; the models are loaded (and converted) once per process. The
   * clip's sport may have them look for bodies upside down (workers/vision/pose/inverted.ts).
   */
  async processors(clip: { sport?: string | null } = {}): Promise<FrameProcessor[]> {
    if (!shared?.alive) {
      const settings = visionSettings()
      const thread = new VisionThread(settings, (line) => logger.warn(line))
      shared = thread
      thread.ready.then(
        ({ provider }) => logger.info({ provider, threads: settings.threads }, 'vision models loaded'),
        () => {
          if (shared === thread) shared = undefined
        }
      )
    }
    try {
      return await shared.processors(clip)
    } catch (error) {
      throw new PipelineError(
        'E_MODELS_UNAVAILABLE',
        'standardize',
        'The anonymization models could not be loaded, so the clip was not processed.',
        (error as Error).message
      )
    }
  }

  /** Stops the thread and frees the models (worker shutdown, tests). */
  static async close() {
    const current = shared
    shared = undefined
    await current?.close()
  }
}
