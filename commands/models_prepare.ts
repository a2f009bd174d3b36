import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Converts the models into the model cache (MODEL_CACHE_DIR) now, instead of on the first
 * clip: after an upgrade, or on a worker whose cache volume is new.
 */
export default class ModelsPrepare extends BaseCommand {
  static commandName = 'models:prepare'
  static description = 'Convert the face, pose and text models to ONNX into the model cache'
  static options: CommandOptions = { startApp: false }

  async run() {
    const { MODELS, prepareModels } = await import('#workers/vision/models')
    // Without startApp the config is not loaded (nor needed: no .env, database or network):
    // the same setting and default as config/athera.ts.
    const cacheDir = process.env.MODEL_CACHE_DIR || this.app.makePath('models')
    const started = performance.now()
    try {
      const paths = await prepareModels(cacheDir)
      const table = this.ui.table()
      table.head(['Model', 'Source', 'ONNX file'])
      for (const [name, path] of Object.entries(paths)) {
        const source = MODELS[name as keyof typeof MODELS]
        table.row([name, `${source.package}/${source.file}`, path])
      }
      table.render()
      this.logger.success(
        `Models ready in ${cacheDir} (${((performance.now() - started) / 1000).toFixed(1)} s).`
      )
    } catch (error) {
      this.logger.error((error as Error).message)
      this.exitCode = 1
    }
  }
}
