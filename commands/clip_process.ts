import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { runPipeline } from '#workers/pipeline/run'
import {
  BLUR_STYLES,
  DEFAULT_PIPELINE_OPTIONS,
  PipelineError,
  type BlurStyle,
  type StepName,
} from '#workers/pipeline/types'

/**
 * The processing pipeline on a local file, with no database, Redis or object storage: for
 * debugging, benchmarks and air-gapped use. It runs exactly the code the `process-clip` job runs.
 */
export default class ClipProcess extends BaseCommand {
  static commandName = 'clip:process'
  static description = 'Process a local video file into a standardized clip, keypoints, metadata and previews'
  // No provider is started: nothing here may need PostgreSQL, Redis or S3.
  static options: CommandOptions = { startApp: false }

  @args.string({ description: 'Video file to process' })
  declare input: string

  @flags.string({ description: 'Output folder (created; a second run reuses finished steps)', required: true })
  declare out: string

  @flags.number({ description: 'Output frames per second', default: DEFAULT_PIPELINE_OPTIONS.fps })
  declare fps: number

  @flags.string({ description: 'Output size WIDTHxHEIGHT (aspect kept, padded)', default: '1280x720' })
  declare size: string

  @flags.boolean({ description: 'Keep the audio (re-encoded to AAC); removed by default' })
  declare keepAudio: boolean

  @flags.string({
    description: `Blur style: ${BLUR_STYLES.join('|')}. Recorded in metadata.json only: nothing is blurred until the anonymization models are installed`,
  })
  declare blur?: string

  async run() {
    const size = /^(\d+)x(\d+)$/.exec(this.size)
    const width = size ? Number(size[1]) : 0
    const height = size ? Number(size[2]) : 0
    if (!size || width < 16 || height < 16 || width > 7680 || height > 4320 || width % 2 || height % 2) {
      return this.#fail(`--size must be WIDTHxHEIGHT with even numbers from 16x16 to 7680x4320, not "${this.size}".`)
    }
    if (!Number.isFinite(this.fps) || this.fps <= 0 || this.fps > 120) {
      return this.#fail(`--fps must be a number above 0 and at most 120, not "${this.fps}".`)
    }
    if (this.blur !== undefined && !BLUR_STYLES.includes(this.blur as BlurStyle)) {
      return this.#fail(`--blur must be one of ${BLUR_STYLES.join(', ')}, not "${this.blur}".`)
    }
    const input = resolve(this.input)
    if (!existsSync(input) || !statSync(input).isFile()) return this.#fail(`No file at ${input}.`)

    const controller = new AbortController()
    const stop = () => controller.abort()
    process.once('SIGINT', stop)
    const started = performance.now()
    let lastStep = ''
    try {
      const result = await runPipeline(
        { inputPath: input, outDir: resolve(this.out), clip: { clipId: 'local' } },
        {
          ...DEFAULT_PIPELINE_OPTIONS,
          fps: this.fps,
          width,
          height,
          keepAudio: this.keepAudio ?? false,
          blur: this.blur as BlurStyle | undefined,
          processors: [],
        },
        {
          signal: controller.signal,
          onStep: (step, state) => {
            if (state !== 'started' && step !== lastStep) this.logger.info(`${step}: ${state}`)
            lastStep = step
          },
        }
      )
      this.#summary(result, (performance.now() - started) / 1000)
    } catch (error) {
      if (error instanceof PipelineError) {
        return this.#fail(`${error.message} (${error.code} during ${error.step})${error.detail ? `\n${error.detail}` : ''}`)
      }
      throw error
    } finally {
      process.off('SIGINT', stop)
    }
  }

  #summary(result: Awaited<ReturnType<typeof runPipeline>>, seconds: number) {
    const output = result.metadata.output as { durationSeconds: number; frameCount: number; fps: number; width: number; height: number }
    const table = this.ui.table()
    table.head(['Output', 'Size', 'sha256'])
    for (const file of Object.values(result.outputs)) {
      table.row([file.path, `${(file.bytes / 1024).toFixed(1)} KiB`, file.sha256.slice(0, 16)])
    }
    table.render()
    const timings = this.ui.table()
    timings.head(['Step', 'Time'])
    for (const step of ['probe', 'standardize', 'thumbnail', 'preview', 'metadata'] as StepName[]) {
      const ms = result.timings[step]
      timings.row([step, ms === undefined ? 'skipped (already done)' : `${ms} ms`])
    }
    timings.render()
    const standardizeMs = result.timings.standardize
    const achieved = standardizeMs ? `${(output.frameCount / (standardizeMs / 1000)).toFixed(1)} frames/s` : 'n/a (skipped)'
    this.logger.info(
      `${output.width}x${output.height} at ${output.fps} fps, ${output.durationSeconds.toFixed(2)} s, ` +
        `${output.frameCount} frames; standardize ran at ${achieved}; total ${seconds.toFixed(2)} s`
    )
    const blur = (result.metadata.settings as { blur: string | null }).blur
    this.logger.info(
      blur
        ? `Blur "${blur}" recorded in metadata.json; nothing was blurred: the anonymization models are not installed yet.`
        : 'No anonymization ran: the anonymization models are not installed yet.'
    )
  }

  #fail(message: string) {
    this.logger.error(message)
    this.exitCode = 1
  }
}
