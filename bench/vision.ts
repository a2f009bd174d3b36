/*
 * Vision benchmark (not a test): the whole pipeline with the anonymization and pose models on
 * each shared clip at 1280×720, against a plain one-process ffmpeg transcode to the same
 * target, in one run. Prints frames per second (output frames / wall time), the ratio, and
 * where the time went (each processor's share, measured around its calls).
 *
 *   node --import @poppinss/ts-exec bench/vision.ts [--cuda] [--detect-every N] [--threads N] [--only NAME] [--in-process] [--[no-]lane]
 *     [--text MODE[,MODE…]] [--sport NAME]
 *
 * --text runs each clip once per text mode (numbers, identifying, all; default the default
 * mode), the modes in turn clip by clip so a change in the machine's load touches them alike,
 * and gives each mode's totals: what blurring names as well as numbers costs.
 *
 * --in-process also gives each model's time in its run() calls (of the models run in process:
 * without --lane, all of them). --no-lane keeps the face search on the vision thread. --sport
 * gives every clip that sport: one that turns people over (gymnastics) has every keyframe also
 * searched upside down, which is what that search costs (workers/vision/pose/inverted.ts).
 *
 * Models are converted into MODEL_CACHE_DIR (default ./models) first if needed.
 */
import { readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { runPipeline } from '../workers/pipeline/run.js'
import {
  DEFAULT_PIPELINE_OPTIONS,
  type Frame,
  type FrameProcessor,
} from '../workers/pipeline/types.js'
import { probe } from '../workers/video/probe.js'
import {
  createVisionProcessors,
  LANE_MODELS,
  loadVisionModels,
  type VisionModels,
} from '../workers/vision/processors.js'
import { VisionRuntime } from '../workers/vision/runtime/runtime.js'
import { VisionThread } from '../workers/vision/runtime/thread.js'
import type { Model } from '../workers/vision/types.js'
import {
  DEFAULT_VISION_SETTINGS,
  TEXT_MODES,
  resolveVisionSettings,
  type TextMode,
  type VisionSettings,
} from '../workers/vision/settings.js'
import { plainFfmpeg } from './plain_ffmpeg.js'

const { values } = parseArgs({
  options: {
    'cuda': { type: 'boolean', default: false },
    'detect-every': { type: 'string', default: String(DEFAULT_VISION_SETTINGS.detectEvery) },
    'threads': { type: 'string', default: String(DEFAULT_VISION_SETTINGS.threads) },
    'only': { type: 'string' },
    'in-process': { type: 'boolean', default: false },
    'lane': { type: 'boolean' },
    'text': { type: 'string', default: DEFAULT_VISION_SETTINGS.text.mode },
    'sport': { type: 'string' },
  },
  allowNegative: true,
})
const settings = resolveVisionSettings({
  cacheDir: resolve(process.env.MODEL_CACHE_DIR || 'models'),
  provider: values.cuda ? 'cuda' : 'cpu',
  threads: Number(values.threads),
  // In process, the face models stay here by default so that every model's time is counted.
  lane: values.lane ?? (!values['in-process'] && DEFAULT_VISION_SETTINGS.lane),
  detectEvery: Number(values['detect-every']),
})
const modes = [
  ...new Set(
    values.text
      .split(',')
      .map((mode) => mode.trim())
      .filter(Boolean)
  ),
]
const unknown = modes.filter((mode) => !TEXT_MODES.includes(mode as TextMode))
if (!modes.length || unknown.length) {
  console.error(
    `--text takes text modes separated by commas (${TEXT_MODES.join(', ')}), not "${values.text}"`
  )
  process.exit(2)
}
const settingsFor = (mode: string): VisionSettings =>
  resolveVisionSettings({ ...settings, text: { mode: mode as TextMode } })
const media = new URL('../../shared/media/', import.meta.url).pathname
const clips = readdirSync(media)
  .filter((name) => name.endsWith('.mp4') && (!values.only || name.includes(values.only)))
  .sort()
  .map((name) => join(media, name))
const options = { ...DEFAULT_PIPELINE_OPTIONS, processors: [] }
const work = await mkdtemp(join(tmpdir(), 'athera-bench-vision-'))
// As the worker runs them: on the vision thread, while this thread feeds ffmpeg both ways.
// --in-process runs them on this thread instead (as `node ace clip:process` did before).
const inProcess = values['in-process']
const runtime = inProcess
  ? new VisionRuntime({
      threads: settings.threads,
      provider: settings.provider,
      laneModels: settings.lane ? LANE_MODELS : [],
    })
  : undefined
const models = runtime ? timedModels(await loadVisionModels(runtime, settings)) : undefined
// One vision thread per text mode (a thread's settings are fixed when it starts).
const threads = new Map(
  inProcess ? [] : modes.map((mode) => [mode, new VisionThread(settingsFor(mode))])
)
const firstThread = runtime ? undefined : await threads.get(modes[0])!.ready
const provider = runtime ? runtime.provider : firstThread!.provider
const sport = values.sport ?? null
const newProcessors = (mode: string) =>
  models
    ? Promise.resolve(createVisionProcessors(models, settingsFor(mode), { sport }))
    : threads.get(mode)!.processors({ sport })

/** Time in each model's run() calls, in process only (on the thread the models are out of reach). */
const modelTime = new Map<string, { calls: number; ms: number }>()

function timedModels(loaded: VisionModels): VisionModels {
  const wrapped = { ...loaded }
  for (const [key, value] of Object.entries(loaded)) {
    const model = value as Model
    if (typeof model?.run !== 'function') continue
    ;(wrapped as Record<string, unknown>)[key] = {
      name: model.name,
      inputNames: model.inputNames,
      outputNames: model.outputNames,
      async run(feeds: Parameters<Model['run']>[0]) {
        const started = performance.now()
        try {
          return await model.run(feeds)
        } finally {
          const entry = modelTime.get(model.name) ?? { calls: 0, ms: 0 }
          entry.calls++
          entry.ms += performance.now() - started
          modelTime.set(model.name, entry)
        }
      },
    } satisfies Model
  }
  return wrapped
}

/** Wraps a processor to add up the time spent in its process() calls. */
function timed(processor: FrameProcessor, spent: Map<string, number>): FrameProcessor {
  return {
    name: processor.name,
    role: processor.role,
    version: processor.version,
    init: processor.init?.bind(processor),
    prepare: processor.prepare?.bind(processor),
    finish: processor.finish?.bind(processor),
    async process(frame: Frame) {
      const started = performance.now()
      try {
        return await processor.process(frame)
      } finally {
        spent.set(processor.name, (spent.get(processor.name) ?? 0) + performance.now() - started)
      }
    },
  }
}

const rows: Record<string, string | number>[] = []
try {
  for (const clip of clips)
    for (const mode of modes) {
      const source = await probe(clip)
      const sourceFps = source.video[0].fps
      let started = performance.now()
      await plainFfmpeg(clip, work, { sourceFps, frames: 0, catalog: false })
      const plainSeconds = (performance.now() - started) / 1000
      const spent = new Map<string, number>()
      const created = await newProcessors(mode)
      const processors = created.map((processor) => timed(processor, spent))
      started = performance.now()
      const result = await runPipeline(
        {
          inputPath: clip,
          outDir: join(work, `${basename(clip)}-${mode}`),
          clip: { clipId: 'bench', sport: sport ?? undefined },
        },
        { ...options, processors, blur: settings.blur }
      )
      const seconds = (performance.now() - started) / 1000
      const output = result.metadata.output as { frameCount: number }
      const anonymization = (result.metadata.anonymization as any).anonymize
      const pose = (result.metadata.pose as any).pose
      rows.push({
        'clip': basename(clip),
        ...(modes.length > 1 && { text: mode }),
        'decoded frames': pose.frames,
        'output frames': output.frameCount,
        'plain s': plainSeconds.toFixed(2),
        'pipeline s': seconds.toFixed(2),
        'ratio': (seconds / plainSeconds).toFixed(1),
        'fps (output)': (output.frameCount / seconds).toFixed(1),
        'fps (decoded)': (pose.frames / seconds).toFixed(1),
        // On the thread, the pose proxy's call carries both (the thread blurs as pose hands over).
        'vision ms/frame': (
          [...spent.values()].reduce((sum, ms) => sum + ms, 0) / pose.frames
        ).toFixed(1),
        ...(inProcess && {
          'pose ms/frame': ((spent.get('pose') ?? 0) / pose.frames).toFixed(1),
          'anonymize ms/frame': ((spent.get('anonymize') ?? 0) / anonymization.frames).toFixed(1),
        }),
        'faces': anonymization.detectedFaces,
        'text found': anonymization.detectedText,
        'names': anonymization.detectedNames ?? 0,
        'people': pose.tracks,
        // Keyframes also searched upside down (by the sport, or after pose saw someone inverted).
        'turned kf': pose.invertedSearch.keyframes,
        'turned people': pose.invertedSearch.people,
      })
    }
} finally {
  await rm(work, { recursive: true, force: true })
  await runtime?.close()
  for (const thread of threads.values()) await thread.close()
}

console.log(
  `Vision benchmark: ${clips.length} clips, ${cpus().length} CPUs, ${provider}, ${settings.threads} text-detector threads, face search ${settings.lane ? 'on the model lane' : 'on the vision thread'}, ` +
    `${inProcess ? 'in process' : 'on the vision thread'}, ` +
    `detect every ${settings.detectEvery} frame(s), pose ${settings.pose.model}, text ${modes.join(' vs ')}, sport ${sport ?? 'none'}, target 1280x720@30`
)
console.table(rows)
for (const mode of modes) {
  const mine = rows.filter((row) => modes.length === 1 || row.text === mode)
  const total = (key: string) => mine.reduce((sum, row) => sum + Number(row[key]), 0)
  console.log(
    `${modes.length > 1 ? `text ${mode}: ` : ''}total: ${total('output frames')} output frames (${total('decoded frames')} decoded) in ${total('pipeline s').toFixed(2)} s = ` +
      `${(total('output frames') / total('pipeline s')).toFixed(1)} fps (${(total('decoded frames') / total('pipeline s')).toFixed(1)} decoded fps); ` +
      `plain transcode ${total('plain s').toFixed(2)} s, ratio ${(total('pipeline s') / total('plain s')).toFixed(1)}; ` +
      `${total('text found')} text regions, ${total('names')} names; target ≥ 15 fps`
  )
}
if (modelTime.size) {
  const seconds = rows.reduce((sum, row) => sum + Number(row['pipeline s']), 0)
  console.log('model run() time, in process:')
  console.table(
    [...modelTime]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([model, { calls, ms }]) => ({
        model,
        calls,
        's': (ms / 1000).toFixed(2),
        'ms/call': (ms / calls).toFixed(1),
        'share of pipeline': `${((100 * ms) / 1000 / seconds).toFixed(1)} %`,
      }))
  )
}
