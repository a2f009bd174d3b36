import { existsSync, statSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
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
import {
  DEFAULT_VISION_SETTINGS,
  POSE_MODELS,
  TEXT_MODES,
  type PoseModel,
  type TextMode,
  resolveVisionSettings,
} from '#workers/vision/settings'

/**
 * The processing pipeline on a local file, with no database, Redis or object storage: for
 * debugging, benchmarks and air-gapped use. It runs exactly the code the `process-clip` job runs.
 */
export default class ClipProcess extends BaseCommand {
  static commandName = 'clip:process'
  static description =
    'Process a local video file into a standardized clip, keypoints, metadata and previews'
  // No provider is started: nothing here may need PostgreSQL, Redis or S3.
  static options: CommandOptions = { startApp: false }

  @args.string({ description: 'Video file to process' })
  declare input: string

  @flags.string({
    description: 'Output folder (created; a second run reuses finished steps)',
    required: true,
  })
  declare out: string

  @flags.number({ description: 'Output frames per second', default: DEFAULT_PIPELINE_OPTIONS.fps })
  declare fps: number

  @flags.string({
    description: 'Output size WIDTHxHEIGHT (aspect kept, padded)',
    default: '1280x720',
  })
  declare size: string

  @flags.boolean({ description: 'Keep the audio (re-encoded to AAC); removed by default' })
  declare keepAudio: boolean

  @flags.string({
    description: `Blur style: ${BLUR_STYLES.join('|')}`,
    default: DEFAULT_VISION_SETTINGS.blur as string,
  })
  declare blur: string

  @flags.string({
    description: `Text to blur: ${TEXT_MODES.join('|')}`,
    default: DEFAULT_VISION_SETTINGS.text.mode as string,
  })
  declare text: string

  @flags.string({
    description: `Pose landmark model: ${POSE_MODELS.join('|')}`,
    default: DEFAULT_VISION_SETTINGS.pose.model as string,
  })
  declare poseModel: string

  @flags.number({
    description: 'Run the detectors on every Nth frame, tracking in between',
    default: DEFAULT_VISION_SETTINGS.detectEvery,
  })
  declare detectEvery: number

  @flags.number({
    description: 'onnxruntime threads per model run',
    default: DEFAULT_VISION_SETTINGS.threads,
  })
  declare threads: number

  @flags.boolean({ description: 'Run the models on CUDA when the GPU provider is installed' })
  declare cuda: boolean

  @flags.boolean({ description: 'Also write keypoints.coco.json (COCO keypoints with track ids)' })
  declare coco: boolean

  @flags.string({
    description:
      "The clip's sport (metadata.json); some, e.g. gymnastics, have keyframes also searched for bodies upside down",
  })
  declare sport?: string

  async run() {
    const size = /^(\d+)x(\d+)$/.exec(this.size)
    const width = size ? Number(size[1]) : 0
    const height = size ? Number(size[2]) : 0
    if (
      !size ||
      width < 16 ||
      height < 16 ||
      width > 7680 ||
      height > 4320 ||
      width % 2 ||
      height % 2
    ) {
      return this.#fail(
        `--size must be WIDTHxHEIGHT with even numbers from 16x16 to 7680x4320, not "${this.size}".`
      )
    }
    if (!Number.isFinite(this.fps) || this.fps <= 0 || this.fps > 120) {
      return this.#fail(`--fps must be a number above 0 and at most 120, not "${this.fps}".`)
    }
    if (!BLUR_STYLES.includes(this.blur as BlurStyle)) {
      return this.#fail(`--blur must be one of ${BLUR_STYLES.join(', ')}, not "${this.blur}".`)
    }
    if (!TEXT_MODES.includes(this.text as TextMode)) {
      return this.#fail(`--text must be one of ${TEXT_MODES.join(', ')}, not "${this.text}".`)
    }
    if (!POSE_MODELS.includes(this.poseModel as PoseModel)) {
      return this.#fail(
        `--pose-model must be one of ${POSE_MODELS.join(', ')}, not "${this.poseModel}".`
      )
    }
    if (!Number.isInteger(this.detectEvery) || this.detectEvery < 1 || this.detectEvery > 10) {
      return this.#fail(
        `--detect-every must be a whole number from 1 to 10, not "${this.detectEvery}".`
      )
    }
    if (!Number.isInteger(this.threads) || this.threads < 1 || this.threads > 64) {
      return this.#fail(`--threads must be a whole number from 1 to 64, not "${this.threads}".`)
    }
    const input = resolve(this.input)
    if (!existsSync(input) || !statSync(input).isFile()) return this.#fail(`No file at ${input}.`)

    const settings = resolveVisionSettings({
      cacheDir: process.env.MODEL_CACHE_DIR || this.app.makePath('models'),
      provider: this.cuda ? 'cuda' : 'cpu',
      threads: this.threads,
      detectEvery: this.detectEvery,
      blur: this.blur as BlurStyle,
      text: { mode: this.text as TextMode },
      pose: { model: this.poseModel as PoseModel },
    })
    // Loaded here, not at the top: listing ace commands must not load onnxruntime.
    const { VisionThread } = await import('#workers/vision/runtime/thread')
    const { toCocoKeypoints } = await import('#workers/vision/pose/coco_export')
    // On their own thread as in the worker: this one keeps ffmpeg fed meanwhile.
    const thread = new VisionThread(settings, (line) => this.logger.warning(line))
    let processors
    let provider: string
    try {
      const threadReady = await thread.ready
      provider = threadReady.provider
      processors = await thread.processors({ sport: this.sport })
    } catch (error) {
      await thread.close()
      return this.#fail(
        `The anonymization and pose models could not be loaded: ${(error as Error).message}`
      )
    }
    const controller = new AbortController()
    const stop = () => controller.abort()
    process.once('SIGINT', stop)
    const started = performance.now()
    let lastStep = ''
    try {
      const result = await runPipeline(
        {
          inputPath: input,
          outDir: resolve(this.out),
          clip: { clipId: 'local', sport: this.sport },
        },
        {
          ...DEFAULT_PIPELINE_OPTIONS,
          fps: this.fps,
          width,
          height,
          keepAudio: this.keepAudio ?? false,
          blur: settings.blur,
          processors,
        },
        {
          signal: controller.signal,
          onStep: (step, state) => {
            if (state !== 'started' && step !== lastStep) this.logger.info(`${step}: ${state}`)
            lastStep = step
          },
        }
      )
      if (this.coco) {
        const cocoPath = join(resolve(this.out), 'keypoints.coco.json')
        await writeFile(
          cocoPath,
          JSON.stringify(
            toCocoKeypoints(JSON.parse(await readFile(result.outputs.keypoints.path, 'utf8')))
          )
        )
        this.logger.info(`COCO keypoints written to ${cocoPath}`)
      }
      this.#summary(result, (performance.now() - started) / 1000, provider)
    } catch (error) {
      if (error instanceof PipelineError) {
        return this.#fail(
          `${error.message} (${error.code} during ${error.step})${error.detail ? `\n${error.detail}` : ''}`
        )
      }
      throw error
    } finally {
      process.off('SIGINT', stop)
      await thread.close()
    }
  }

  #summary(result: Awaited<ReturnType<typeof runPipeline>>, seconds: number, provider: string) {
    const output = result.metadata.output as {
      durationSeconds: number
      frameCount: number
      fps: number
      width: number
      height: number
    }
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
    const achieved = standardizeMs
      ? `${(output.frameCount / (standardizeMs / 1000)).toFixed(1)} frames/s`
      : 'n/a (skipped)'
    this.logger.info(
      `${output.width}x${output.height} at ${output.fps} fps, ${output.durationSeconds.toFixed(2)} s, ` +
        `${output.frameCount} frames; standardize ran at ${achieved}; total ${seconds.toFixed(2)} s`
    )
    const anonymization = (result.metadata.anonymization as Record<string, any>).anonymize
    const pose = (result.metadata.pose as Record<string, any>).pose
    if (anonymization) {
      this.logger.info(
        `Blurred (${anonymization.settings.blur}): ${anonymization.detectedFaces} face and ${anonymization.detectedText} text detections (${anonymization.detectedNames ?? 0} names, text mode ${anonymization.settings.text}), ` +
          `${anonymization.faceRegions} face (${anonymization.headRegions ?? 0} placed from pose, ${anonymization.turnedFaceDetections ?? 0} found on ${anonymization.headsTurnedUpright ?? 0} heads turned upright) and ${anonymization.textRegions} text regions over ${anonymization.frames} frames; ` +
          `pose: ${pose?.tracks ?? 0} people tracked (models on ${provider}).`
      )
      const inverted = pose?.invertedSearch
      if (inverted?.keyframes) {
        this.logger.info(
          `Searched upside down (${inverted.bySport ? 'the sport' : 'someone seen upside down'}): ${inverted.keyframes} keyframes, ${inverted.people} people found only there.`
        )
      }
    } else {
      this.logger.info("Anonymization was skipped: this folder's steps were already done.")
    }
  }

  #fail(message: string) {
    this.logger.error(message)
    this.exitCode = 1
  }
}
