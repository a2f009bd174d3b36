/**
 * The processing pipeline for one clip, the same for the `process-clip` job and the
 * `clip:process` CLI: probe → standardize (decode, frame processors, encode, keypoints) →
 * thumbnail → preview → metadata, into `outDir`. Each finished step is recorded in
 * `outDir/steps.json`, so running it again on the same folder redoes only what is missing.
 */
import { mkdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ffmpegVersion } from '../video/ffmpeg.js'
import { aborted } from '../video/frames.js'
import { digestFile, writeAtomically, writeJsonAtomically } from './files.js'
import { StepLedger, type StepRecord } from './ledger.js'
import { CLIP_OUTPUTS, OUTPUT_KINDS } from './outputs.js'
import { ProgressReporter } from './progress.js'
import { makePreview, makeThumbnail } from './previews.js'
import { standardize, type StandardizeResult } from './standardize.js'
import { redactedMetadata, rerender, type RerenderPlan } from './redact.js'
import { fingerprint, hashOf } from './fingerprint.js'
import { buildMetadata } from './metadata.js'
import { containerOf, probeSource, type SourceInfo } from './source.js'
import {
  PipelineError,
  type ClipDescription,
  type OutputFile,
  type OutputKind,
  type PipelineHooks,
  type PipelineOptions,
  type PipelineResult,
  type StepName,
} from './types.js'

export interface PipelineInput {
  inputPath: string
  outDir: string
  clip: ClipDescription
  /**
   * A re-render of a processed clip (./redact.ts): the standardize step encodes `inputPath`
   * again with the plan's regions blurred and runs no processor; metadata.json is the
   * published one with the new hashes.
   */
  rerender?: RerenderPlan
}

const STEPS: StepName[] = ['probe', 'standardize', 'thumbnail', 'preview', 'metadata']

/** What a step's body made: the outputs to hash and record, and data for later steps. */
interface StepOutcome {
  outputs: OutputKind[]
  data: Record<string, any>
}

export async function runPipeline(
  input: PipelineInput,
  options: PipelineOptions,
  hooks: PipelineHooks = {}
): Promise<PipelineResult> {
  const { outDir } = input
  const signal = hooks.signal
  const progress = new ProgressReporter(hooks.onProgress)
  const path = (kind: OutputKind) => join(outDir, CLIP_OUTPUTS[kind].file)
  const child = { ffmpegPath: options.ffmpegPath, niceness: options.niceness, signal }
  await mkdir(outDir, { recursive: true })

  const sizeBytes = await stat(input.inputPath).then(
    (stats) => stats.size,
    () => {
      throw new PipelineError(
        'E_INPUT_UNREADABLE',
        'probe',
        'The video file could not be found or read.',
        input.inputPath
      )
    }
  )
  const container = await containerOf(input.inputPath)
  const ledger = await StepLedger.open(outDir, await fingerprint(input, options, sizeBytes))
  const timings: PipelineResult['timings'] = {}
  const skipped: StepName[] = []

  /** Runs a step unless steps.json shows it done; a step that runs invalidates those after it. */
  async function step(
    name: StepName,
    body: () => Promise<StepOutcome>,
    stillValid: (record: StepRecord) => boolean = () => true
  ): Promise<StepRecord> {
    if (signal?.aborted) throw aborted(name)
    const previous = await ledger.valid(name)
    if (previous && stillValid(previous)) return skip(name, previous)
    hooks.onStep?.(name, 'started')
    const started = performance.now()
    return done(name, started, await body())
  }

  function skip(name: StepName, previous: StepRecord) {
    skipped.push(name)
    hooks.onStep?.(name, 'skipped')
    progress.step(name, 1)
    return previous
  }

  /** Records a step that ran; `waited` is time spent after its body for other steps, not counted. */
  async function done(name: StepName, started: number, { outputs, data }: StepOutcome, waited = 0) {
    const record: StepRecord = { outputs: {}, data, ms: 0, finishedAt: new Date().toISOString() }
    for (const kind of outputs)
      record.outputs[kind] = { file: CLIP_OUTPUTS[kind].file, ...(await digestFile(path(kind))) }
    record.ms = Math.round(performance.now() - started - waited)
    timings[name] = record.ms
    const later = STEPS.slice(STEPS.indexOf(name) + 1)
    // Probe only reads: the same input gives the same facts, so later outputs stay valid.
    if (name !== 'probe') await ledger.invalidate(later)
    await ledger.record(name, record)
    progress.step(name, 1)
    hooks.onStep?.(name, 'done')
    return record
  }

  /**
   * Steps that read only earlier outputs, never each other's, run side by side (one ffmpeg
   * each) and are recorded in order afterwards, as if they had run one after the other: from
   * the first one that must run, every later one runs too (running a step invalidates those
   * after it). On a failure the others are let finish (or stop on an abort) before the first
   * failure, in step order, is thrown.
   */
  async function sideBySide(list: [StepName, () => Promise<StepOutcome>][]) {
    const running: {
      name: StepName
      started: number
      result: Promise<{ outcome: StepOutcome; ended: number }>
    }[] = []
    for (const [name, body] of list) {
      if (!running.length) {
        if (signal?.aborted) throw aborted(name)
        const previous = await ledger.valid(name)
        if (previous) {
          skip(name, previous)
          continue
        }
      }
      hooks.onStep?.(name, 'started')
      const started = performance.now()
      running.push({
        name,
        started,
        result: body().then((outcome) => ({ outcome, ended: performance.now() })),
      })
    }
    const settled = await Promise.allSettled(running.map((entry) => entry.result))
    for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason
    const allEnded = performance.now()
    for (const [index, entry] of running.entries()) {
      const { outcome, ended } = (
        settled[index] as PromiseFulfilledResult<{ outcome: StepOutcome; ended: number }>
      ).value
      await done(entry.name, entry.started, outcome, allEnded - ended)
    }
  }

  progress.set(0)
  const probed = await step('probe', async () => ({
    outputs: [],
    data: { source: await probeSource(input.inputPath, options, sizeBytes, container) },
  }))
  const source = probed.data.source as SourceInfo
  hooks.onProbed?.(source)

  const standardized = await step(
    'standardize',
    async () => {
      const paths = {
        inputPath: input.inputPath,
        container,
        videoPath: path('video'),
        keypointsPath: path('keypoints'),
        regionsPath: path('regions'),
        thumbnailPath: path('thumbnail'),
        previewPath: path('preview'),
      }
      const onFrames = (framesDone: number, expected: number) =>
        progress.step('standardize', framesDone / expected)
      const colour = {
        colorSpace: source.colorSpace ?? null,
        width: source.width,
        height: source.height,
      }
      const result = input.rerender
        ? await rerender(
            { ...paths, sourceFps: source.fps, hasAudio: source.hasAudio, colour },
            input.rerender,
            options,
            { signal, onFrames }
          )
        : await standardize(
            {
              ...paths,
              clipId: input.clip.clipId,
              durationSeconds: source.durationSeconds,
              sourceFps: source.fps,
              hasAudio: source.hasAudio,
              colour,
            },
            options,
            { signal, onFrames }
          )
      // The catalog files the encoder made are the thumbnail and preview steps' outputs, but are
      // recorded by those steps; their hashes here let the steps tell them from a damaged file.
      const catalog: Partial<Record<'thumbnail' | 'preview', string>> = {}
      for (const kind of result.made) {
        const digest = await digestFile(path(kind))
        catalog[kind] = digest.sha256
      }
      return { outputs: ['video', 'keypoints', 'regions'], data: { ...result, catalog } }
    },
    // A folder left by a version that did not count keypoints while writing them: counted again.
    (record) => typeof record.data.keypointPeople === 'number'
  )
  const output = standardized.data as StandardizeResult & {
    catalog?: Partial<Record<'thumbnail' | 'preview', string>>
  }

  // The encoder normally made both catalog files from its own frames: the steps then only
  // record them. Made again from video.mp4 when they are missing (a thumbnail past the real
  // end, or a file lost since). Both read only video.mp4, so they may run side by side.
  const madeByEncoder = async (kind: 'thumbnail' | 'preview') => {
    const expected = output.catalog?.[kind]
    if (expected === undefined) return false
    const digest = await digestFile(path(kind)).catch(() => null)
    return digest?.sha256 === expected
  }
  await sideBySide([
    [
      'thumbnail',
      async () => {
        if (!(await madeByEncoder('thumbnail'))) {
          await writeAtomically(path('thumbnail'), (temp) =>
            makeThumbnail(path('video'), temp, output.durationSeconds, child)
          )
        }
        return { outputs: ['thumbnail'], data: {} }
      },
    ],
    [
      'preview',
      async () => {
        if (!(await madeByEncoder('preview'))) {
          const settings = {
            seconds: options.previewSeconds,
            height: options.previewHeight,
            fps: options.fps,
          }
          await writeAtomically(path('preview'), (temp) =>
            makePreview(path('video'), temp, settings, child)
          )
        }
        return { outputs: ['preview'], data: {} }
      },
    ],
  ])

  const describedAs = hashOf(input.clip)
  const metadataRecord = await step(
    'metadata',
    async () => {
      const files: Record<string, { bytes: number; sha256: string }> = {}
      // regions.json is left out: it is for reviewers, and metadata.json travels with datasets.
      for (const kind of ['video', 'keypoints', 'thumbnail', 'preview'] as const) {
        const recorded = ledger.get(
          kind === 'video' || kind === 'keypoints' ? 'standardize' : kind
        )!.outputs[kind]!
        files[kind] = { bytes: recorded.bytes, sha256: recorded.sha256 }
      }
      const allTimings: Record<string, number> = {}
      for (const name of STEPS.slice(0, -1)) allTimings[name] = ledger.get(name)!.ms
      const plan = input.rerender
      const metadata = plan
        ? redactedMetadata(plan.metadata, files, plan.record, plan.regionsToBlur.length)
        : buildMetadata({
            clip: input.clip,
            options,
            source,
            output,
            files,
            timings: allTimings,
            ffmpeg: await ffmpegVersion(options.ffmpegPath),
          })
      await writeJsonAtomically(path('metadata'), metadata)
      return { outputs: ['metadata'], data: { describedAs } }
    },
    // The creator may edit the title or tags between two runs: that changes only metadata.json.
    (record) => record.data.describedAs === describedAs
  )
  progress.set(100)

  const outputs = {} as Record<OutputKind, OutputFile>
  for (const kind of OUTPUT_KINDS) {
    const owner =
      kind === 'video' || kind === 'keypoints' || kind === 'regions' ? 'standardize' : kind
    const recorded = (owner === 'metadata' ? metadataRecord : ledger.get(owner)!).outputs[kind]!
    outputs[kind] = {
      kind,
      path: path(kind),
      bytes: recorded.bytes,
      sha256: recorded.sha256,
      contentType: CLIP_OUTPUTS[kind].contentType,
    }
  }
  const metadata = JSON.parse(await readFile(path('metadata'), 'utf8'))
  const keypointStats = {
    people: output.keypointPeople,
    framesWithPeople: output.keypointFrames,
    frameCount: output.frameCount,
    fps: options.fps,
  }
  return { outputs, keypointStats, timings, skipped, metadata }
}
