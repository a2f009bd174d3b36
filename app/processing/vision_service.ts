import logger from '@adonisjs/core/services/logger'
import config from '#config/athera'
import { PipelineError, type FrameProcessor } from '#workers/pipeline/types'
import { VisionThread } from '#workers/vision/runtime/thread'
import type { VisionSettings } from '#workers/vision/settings'

/**
 * The worker process's models: loaded on the first clip into a worker thread (./thread.ts: the
 * JavaScript around the models must not hold up HTTP requests or BullMQ's locks), then shared by
 * every clip this process handles. Each clip gets its own processors there, which hold its
 * trackers and statistics.
 */
let shared: VisionThread | undefined

/** The settings config/athera.ts resolved from the environment (workers/vision/settings.ts). */
export function visionSettings(): VisionSettings {
  return config.vision
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
        ({ provider }) =>
          logger.info({ provider, threads: settings.threads }, 'vision models loaded'),
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

  /** The thread this process runs its models on, once a clip started it. */
  static get thread(): VisionThread | undefined {
    return shared
  }

  /** Stops the thread and frees the models (providers/athera_provider.ts at shutdown, tests). */
  static async close() {
    const current = shared
    shared = undefined
    await current?.close()
  }
}
