/**
 * The standardize step: decode once, pass every frame through the processors in order, encode
 * once, and stream keypoints.json and regions.json as frames go by (a long clip's keypoints
 * never sit in memory).
 * A source slower than the output rate is decoded and processed at its own rate; the encoder
 * repeats its frames up to the output rate, and keypoints.json repeats their people.
 */
import { rename, rm } from 'node:fs/promises'
import { aborted } from '../video/frames.js'
import { DecodeRate } from '../video/decode_rate.js'
import { readAhead } from '../video/read_ahead.js'
import { formatTimestamp } from '../video/ffmpeg.js'
import { partialPath, writeAtomically } from './files.js'
import {
  catalogTaps,
  discardTaps,
  keepsAudio,
  openPass,
  publishTaps,
  type CatalogKind,
  type PassSource,
} from './pass.js'
import { KeypointsWriter } from './keypoints_writer.js'
import { RegionsWriter } from './regions_writer.js'
import {
  PipelineError,
  type BlurredRegion,
  type Frame,
  type FrameProcessor,
  type PersonKeypoints,
  type PipelineOptions,
} from './types.js'

export interface StandardizeInput extends PassSource {
  videoPath: string
  keypointsPath: string
  /** What the processors blurred, frame by frame (for reviewers; see RegionsWriter). */
  regionsPath: string
  clipId: string
  /** From the probe: what the frame count should be. */
  durationSeconds: number
}

export interface StandardizeResult {
  frameCount: number
  /** Counted while keypoints.json was written (see KeypointStats). */
  keypointPeople: number
  keypointFrames: number
  durationSeconds: number
  audio: boolean
  /** Statistics from each processor's finish(), by processor name. */
  processorStats: Record<string, Record<string, unknown>>
  /** The catalog files the encoder made on the way (a thumbnail past the real end is not). */
  made: CatalogKind[]
}

export async function standardize(
  input: StandardizeInput,
  options: PipelineOptions,
  hooks: { signal?: AbortSignal; onFrames?: (done: number, expected: number) => void }
): Promise<StandardizeResult> {
  const { fps, width, height } = options
  const expected = Math.max(1, Math.round(input.durationSeconds * fps))
  // The file's declared length bounds the decode: a header that says 2 s on a stream of hours
  // stops here, not after hours of work. Unknown (0) leaves only the job's time limit.
  const declared = input.durationSeconds > 0 ? input.durationSeconds : 0
  for (const processor of options.processors) {
    await guard(processor, 'initialise', () => processor.init?.({ width, height, fps }))
  }

  const taps = await catalogTaps(input, expected, options)
  let made: StandardizeResult['made'] = []
  let frameCount = 0
  let keypointCounts = { people: 0, framesWithPeople: 0 }
  // regions.json is renamed into place with the catalog files, once everything else succeeded.
  const regionsTemp = partialPath(input.regionsPath)
  await writeAtomically(input.keypointsPath, async (keypointsTemp) => {
    await writeAtomically(input.videoPath, async (videoTemp) => {
      const keypoints = new KeypointsWriter(keypointsTemp)
      keypoints.begin({ clipId: input.clipId, fps, width, height })
      const regions = new RegionsWriter(regionsTemp, width, height)
      regions.begin({ clipId: input.clipId, fps })
      const rate0 = new DecodeRate(input.sourceFps, fps)
      const maxFrames = declared
        ? Math.ceil((declared + durationMargin(declared)) * rate0.fps)
        : undefined
      // One frame past the bound is decoded, so a longer stream is told from one that ends there.
      const { reader, encoder } = openPass(
        input,
        videoTemp,
        taps,
        options,
        hooks.signal,
        maxFrames === undefined ? undefined : maxFrames + 1
      )
      const rate = reader.rate
      try {
        for await (const frame of preparing(reader, options.processors)) {
          if (maxFrames !== undefined && frame.index >= maxFrames) {
            throw new PipelineError(
              'E_DURATION_MISMATCH',
              'standardize',
              `The video runs longer than the ${formatTimestamp(declared)} its file declares, so it was not processed. Export it again and upload the new file.`,
              `more than ${maxFrames} frames decoded for a declared ${declared} s`
            )
          }
          const people: PersonKeypoints[] = []
          const blurred: BlurredRegion[] = []
          for (const processor of options.processors) {
            const found = await guard(processor, `process frame ${frame.index}`, () =>
              processor.process(frame)
            )
            if (found) people.push(...found)
            const hidden = processor.blurred?.()
            if (hidden) blurred.push(...hidden)
          }
          await encoder.write(frame.data)
          // keypoints.json lists every output frame. The encoder shows this decoded frame in
          // output frames [from, to) (one unless the source is slower than the output rate), so
          // its people are repeated for each of them: the latest decoded frame's people stand
          // for the repeated frames (the models issue may interpolate between decoded frames).
          const from = rate.outputIndex(frame.index)
          const to = rate.outputIndex(frame.index + 1)
          await keypoints.frames(from, to, fps, people)
          await regions.frame(from, to, blurred)
          hooks.onFrames?.(to, expected)
        }
        frameCount = rate.outputIndex(reader.framesRead)
        // A decoder that stops early without an error (a truncated stream) still lost footage.
        const missing = expected - frameCount
        if (missing > Math.max(fps, expected * 0.05)) {
          throw new PipelineError(
            'E_DECODE_FAILED',
            'standardize',
            `The video stream is corrupt at ${formatTimestamp(frameCount / fps)}: the rest of the clip could not be decoded.`,
            `decoded ${frameCount} of ${expected} expected frames`
          )
        }
        if (frameCount === 0) {
          throw new PipelineError(
            'E_DECODE_FAILED',
            'standardize',
            'The video stream has no frame that could be decoded.'
          )
        }
        await encoder.finish()
        await keypoints.end(frameCount)
        keypointCounts = keypoints.counts
        await regions.end(frameCount)
        await rename(regionsTemp, input.regionsPath)
        made = await publishTaps(taps)
      } catch (error) {
        await encoder.abort()
        for (const processor of options.processors) {
          try {
            processor.close?.()
          } catch {}
        }
        keypoints.destroy()
        regions.destroy()
        await Promise.all([discardTaps(taps), rm(regionsTemp, { force: true })])
        if (
          hooks.signal?.aborted &&
          !(error instanceof PipelineError && error.code === 'E_ABORTED')
        ) {
          throw aborted('standardize')
        }
        throw error
      }
    })
  })

  const processorStats: StandardizeResult['processorStats'] = {}
  for (const processor of options.processors) {
    const stats = await guard(processor, 'finish', () => processor.finish?.())
    if (stats) processorStats[processor.name] = stats
  }
  return {
    frameCount,
    keypointPeople: keypointCounts.people,
    keypointFrames: keypointCounts.framesWithPeople,
    durationSeconds: frameCount / fps,
    audio: keepsAudio(input, options),
    processorStats,
    made,
  }
}

/** Slack past the declared length before a stream counts as longer: containers round, audio leads. */
export function durationMargin(declaredSeconds: number) {
  return Math.max(2, declaredSeconds * 0.02)
}

/**
 * Frames handed to prepare() beyond the one being processed. Two: the anonymizer searches
 * faces on every 2nd frame by default, so each search has the two frames before its own to
 * run in; with one, the vision thread waited for it on about half the keyframes of a crowded
 * clip. On two cores bench:vision measured the same either way (the cores are the limit
 * there); with more cores that wait is what is left. The reader decodes three ahead.
 */
const PREPARE_AHEAD = 2

/**
 * The reader's frames, each handed to the processors' prepare() as soon as it is decoded:
 * while the frames before it are still being processed, so work a processor can start early
 * (the anonymizer's face search, on its own thread) runs alongside theirs.
 */
function preparing(
  frames: AsyncIterable<Frame>,
  processors: FrameProcessor[]
): AsyncGenerator<Frame> {
  const prepare = (frame: Frame) => {
    for (const processor of processors) {
      // A prepare() that fails leaves its work to process(), which reports the failure.
      try {
        processor.prepare?.(frame)
      } catch {}
    }
  }
  // One more than PREPARE_AHEAD: the frame being processed is one of those asked for.
  return readAhead(frames[Symbol.asyncIterator](), PREPARE_AHEAD + 1, undefined, prepare)
}

/** Runs a processor call; its failure becomes E_PROCESSOR_FAILED naming the processor. */
async function guard<T>(
  processor: FrameProcessor,
  what: string,
  call: () => Promise<T> | T | undefined
) {
  try {
    return await call()
  } catch (error) {
    if (error instanceof PipelineError) throw error
    throw new PipelineError(
      'E_PROCESSOR_FAILED',
      'standardize',
      `The ${processor.name} step failed while processing the video.`,
      `${processor.name}: ${what}: ${error instanceof Error ? error.message : String(error)}`
    )
  }
}
