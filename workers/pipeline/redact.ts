/**
 * A re-render: the standardize step again, for a clip already processed, with a reviewer's
 * manual regions blurred too and no detector run. The pipeline (./run.ts) runs it in place of
 * `standardize()` when its input carries a `RerenderPlan`, so probe → (this) → thumbnail →
 * preview → metadata keep their steps.json records and a retried re-render resumes like any run.
 *
 * Where the pixels come from (the plan's `source`), decided by the caller:
 * - `raw`: the creator's original, still stored, with the automatic regions of regions.json
 *   replayed and the manual ones added. One generation from the source, like the first run,
 *   and no detector has to run again: regions.json says what they blurred, frame by frame.
 * - `anonymized`: the published video.mp4, with only the manual regions blurred. The automatic
 *   blur is already in its pixels; one more generation of compression is the cost.
 * Never the original without the recorded regions: a re-render must not unblur anything.
 */
import { copyFile, rename, rm, writeFile } from 'node:fs/promises'
import { blurRegions, type BlurRegion } from '../vision/anonymize/blur.js'
import { partialPath } from './files.js'
import { catalogTaps, discardTaps, openPass, publishTaps, type PassSource } from './pass.js'
import type { StandardizeResult } from './standardize.js'
import { PipelineError, type BlurStyle, type PipelineOptions } from './types.js'

/** A regions.json row: `[kind, x, y, w, h]` (see schemas/regions.schema.json). */
export type RegionRow = [string, number, number, number, number]

export interface RegionsFile {
  schema: string
  clipId: string
  fps: number
  width: number
  height: number
  columns: string[]
  frames: { index: number; count: number; regions: RegionRow[] }[]
  frameCount: number
  /** Every manual redaction applied so far, oldest first. */
  manual?: ManualRecord[]
}

/** What regions.json keeps about one manual redaction: who, when, where. */
export interface ManualRecord {
  redactionId: number
  admin: { id: number; email: string }
  at: string
  anchor: { frame: number; x: number; y: number; width: number; height: number }
  frames: [number, number]
  source: 'raw' | 'anonymized'
}

/** One manual box at one output frame, in output pixels. */
export interface ManualRegion {
  frame: number
  x: number
  y: number
  width: number
  height: number
}

export interface RerenderPlan {
  source: 'raw' | 'anonymized'
  /** The published regions.json (null only with an `anonymized` source: nothing to replay). */
  regions: RegionsFile | null
  /** The published keypoints.json: pose did not run again, so it is kept byte for byte. */
  keypointsPath: string
  /** The published metadata.json, rewritten with the new files' hashes and the redaction. */
  metadata: Record<string, any>
  /** What the first run counted in keypoints.json (unchanged). */
  keypointStats: { people: number; framesWithPeople: number }
  record: ManualRecord
  regionsToBlur: ManualRegion[]
}

export interface RerenderInput extends PassSource {
  videoPath: string
  keypointsPath: string
  regionsPath: string
  thumbnailPath: string
  previewPath: string
}

/**
 * Replayed regions grow by this many pixels on each side: regions.json rounds each box to whole
 * pixels, and the first run blurred every pixel its unrounded box touched.
 */
const REPLAY_GROWTH = 1

export async function rerender(
  input: RerenderInput,
  plan: RerenderPlan,
  options: PipelineOptions,
  hooks: { signal?: AbortSignal; onFrames?: (done: number, expected: number) => void }
): Promise<StandardizeResult> {
  const { fps, width, height } = options
  const expected = Number(plan.metadata.output?.frameCount) || plan.regions?.frameCount || 0
  if (!expected)
    throw new PipelineError(
      'E_INPUT_UNREADABLE',
      'standardize',
      'The clip’s metadata does not say how many frames it has.'
    )
  const mode: BlurStyle = plan.metadata.settings?.blur ?? options.blur ?? 'gaussian'
  const replay = plan.source === 'raw' ? rowsByFrame(plan.regions) : new Map<number, RegionRow[]>()
  const manual = new Map(plan.regionsToBlur.map((region) => [region.frame, region]))
  const taps = await catalogTaps(input, expected, options)
  const videoTemp = partialPath(input.videoPath)
  const { reader, encoder, audio } = openPass(input, videoTemp, taps, options, hooks.signal)
  const rate = reader.rate
  let made: StandardizeResult['made'] = []
  try {
    for await (const frame of reader) {
      const from = rate.outputIndex(frame.index)
      const to = Math.max(from + 1, rate.outputIndex(frame.index + 1))
      const regions: BlurRegion[] = []
      for (let index = from; index < to; index++) {
        for (const row of replay.get(index) ?? []) regions.push(replayed(row, width, height))
        const box = manual.get(index)
        if (box)
          regions.push({ x: box.x, y: box.y, width: box.width, height: box.height, shape: 'rect' })
      }
      if (regions.length) blurRegions(frame, regions, mode)
      await encoder.write(frame.data)
      hooks.onFrames?.(Math.min(to, expected), expected)
    }
    const frameCount = rate.outputIndex(reader.framesRead)
    // The recorded regions are per output frame: a source that now decodes to other frames
    // (a different ffmpeg, a damaged object) would put them in the wrong places.
    if (frameCount !== expected) {
      throw new PipelineError(
        'E_DURATION_MISMATCH',
        'standardize',
        'The source no longer decodes to the frames the clip was reviewed on, so nothing was re-rendered.',
        `decoded ${frameCount} output frames, the clip has ${expected}`
      )
    }
    await encoder.finish()
    await rename(videoTemp, input.videoPath)
    made = await publishTaps(taps)
  } catch (error) {
    await encoder.abort()
    await Promise.all([rm(videoTemp, { force: true }), discardTaps(taps)])
    throw error
  }

  const regionsFile = withManualRegions(plan.regions, plan, {
    clipId: String(plan.metadata.clipId ?? ''),
    fps,
    width,
    height,
    frameCount: expected,
  })
  await writeFile(partialPath(input.regionsPath), JSON.stringify(regionsFile) + '\n')
  await rename(partialPath(input.regionsPath), input.regionsPath)
  if (plan.keypointsPath !== input.keypointsPath)
    await copyFile(plan.keypointsPath, input.keypointsPath)

  const output = plan.metadata.output ?? {}
  return {
    frameCount: expected,
    keypointPeople: plan.keypointStats.people,
    keypointFrames: plan.keypointStats.framesWithPeople,
    durationSeconds: expected / fps,
    audio: Boolean(output.audio ?? audio),
    processorStats: {},
    made,
  }
}

/**
 * A recorded region as the first run blurred it: faces and heads as the ellipse inscribed in
 * their box, text as the box. A box that touches the frame's edge was clipped when recorded, and
 * the ellipse of the clipped box would leave corners the first run covered: it is blurred whole.
 */
export function replayed(row: RegionRow, width: number, height: number): BlurRegion {
  const [kind, x, y, w, h] = row
  const touchesEdge = x <= 0 || y <= 0 || x + w >= width || y + h >= height
  const shape = (kind === 'face' || kind === 'head') && !touchesEdge ? 'ellipse' : 'rect'
  return {
    x: x - REPLAY_GROWTH,
    y: y - REPLAY_GROWTH,
    width: w + 2 * REPLAY_GROWTH,
    height: h + 2 * REPLAY_GROWTH,
    shape,
  }
}

/** regions.json's rows by output frame (an entry stands for `count` frames). */
export function rowsByFrame(regions: RegionsFile | null) {
  const byFrame = new Map<number, RegionRow[]>()
  for (const entry of regions?.frames ?? []) {
    for (let index = entry.index; index < entry.index + entry.count; index++)
      byFrame.set(index, entry.regions)
  }
  return byFrame
}

/**
 * regions.json with the manual boxes added as `manual` rows on their frames and the redaction
 * recorded in `manual` (who, when, where). Frames are listed one entry per run of output frames
 * with the same rows, as the pipeline writes them.
 */
export function withManualRegions(
  previous: RegionsFile | null,
  plan: Pick<RerenderPlan, 'record' | 'regionsToBlur'>,
  header: { clipId: string; fps: number; width: number; height: number; frameCount: number }
): RegionsFile {
  const byFrame = rowsByFrame(previous)
  for (const box of plan.regionsToBlur) {
    const row: RegionRow = [
      'manual',
      Math.round(box.x),
      Math.round(box.y),
      Math.round(box.width),
      Math.round(box.height),
    ]
    byFrame.set(box.frame, [...(byFrame.get(box.frame) ?? []), row])
  }
  const frames: RegionsFile['frames'] = []
  for (const index of [...byFrame.keys()].sort((a, b) => a - b)) {
    const rows = byFrame.get(index)!
    const last = frames.at(-1)
    if (last && last.index + last.count === index && last.regions === rows) last.count++
    else frames.push({ index, count: 1, regions: rows })
  }
  return {
    schema: previous?.schema ?? 'athera.regions/1',
    clipId: previous?.clipId ?? header.clipId,
    fps: previous?.fps ?? header.fps,
    width: previous?.width ?? header.width,
    height: previous?.height ?? header.height,
    columns: ['kind', 'x', 'y', 'w', 'h'],
    frames,
    frameCount: previous?.frameCount ?? header.frameCount,
    manual: [...(previous?.manual ?? []), plan.record],
  }
}

/**
 * metadata.json after a re-render: the same document with the new files' hashes and the
 * redaction listed (frames and region count only: metadata.json travels with datasets, so the
 * reviewer's identity stays in regions.json and the audit log).
 */
export function redactedMetadata(
  previous: Record<string, any>,
  files: Record<string, { bytes: number; sha256: string }>,
  record: ManualRecord,
  regions: number
) {
  return {
    ...previous,
    files,
    redactions: [...(previous.redactions ?? []), { frames: record.frames, regions, at: record.at }],
  }
}
