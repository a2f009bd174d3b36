/**
 * The contract between the processing pipeline (this folder, plain TypeScript) and whoever
 * runs it: the `process-clip` job (app/jobs) and the `clip:process` CLI (commands/).
 */
import type { OutputKind } from './outputs.js'

/**
 * One decoded frame in output geometry, planar YUV 4:2:0 (`yuv420p`, "I420"), BT.709 limited
 * range: `data` holds the Y plane (`width × height` bytes), then the U and V planes
 * (`width/2 × height/2` bytes each), `width × height × 3 / 2` bytes in all. Black is Y=16,
 * U=V=128. `workers/video/yuv.ts` gives the planes as views (`planes`), paints regions
 * (`paint`, `fill`) and converts a region to small RGB24 model inputs (`toRgb`). Frames are decoded
 * at the source's own rate, capped at the output rate: a 5 fps source gives 5 frames a second,
 * and the encoder repeats each one up to the output rate (keypoints.json repeats its people for
 * the repeated output frames). So `index` and `timeMs` are the decoded frame's, not the output
 * frame's: for a source at or above the output rate they are the same.
 */
export interface Frame {
  /** 0, 1, 2… in decode order (the source frame, at the decode rate). */
  index: number
  /** When this frame is shown, in milliseconds from the start of the clip (index / decode rate). */
  timeMs: number
  width: number
  height: number
  /** The layout of `data`; the only one the pipeline uses. */
  format: 'yuv420p'
  /** The I420 bytes: Y plane, then U, then V (see above). Processors may change it in place. */
  data: Buffer
}

/** [x, y, score]: pixels in the output frame, score 0–1. */
export type Keypoint = [number, number, number]

/** A person found in a frame, as keypoints.json lists them (see its JSON Schema). */
export interface PersonKeypoints {
  trackId: number
  /** [x, y, width, height] in pixels. */
  bbox: [number, number, number, number]
  score: number
  /** The 33 BlazePose keypoints as the model gave them. */
  keypoints: Keypoint[]
  /** The same, filtered over time per track. */
  smoothed: Keypoint[]
}

/** What a blurred region hid: a detected face, a face placed from pose, or text (a shirt number). */
export type BlurredRegionKind = 'face' | 'text' | 'head'

/** A region a processor blurred in one frame, in output pixels (regions.json rounds and clips it). */
export interface BlurredRegion {
  kind: BlurredRegionKind
  x: number
  y: number
  width: number
  height: number
}

/**
 * A step applied to every frame between decode and encode (anonymize, pose). It may change
 * `frame.data` in place (blurring) and may return people for keypoints.json. Processors
 * run in order; pose sees the frame before anonymization blurs it.
 */
export interface FrameProcessor {
  readonly name: string
  /** Which metadata.json section its finish() statistics go to (`processors` only when absent). */
  readonly role?: 'anonymization' | 'pose'
  /** Model name and version, for metadata.json; absent for built-in processors. */
  readonly version?: string
  /** `fps` is the output rate: frames come at most that often (fewer for a slower source). */
  init?(info: { width: number; height: number; fps: number }): Promise<void>
  /**
   * Called with each decoded frame before any processor's process(): a processor may start
   * work there that needs nothing from the processors before it, to run alongside them. It
   * must not change the frame.
   */
  prepare?(frame: Frame): void
  /** Called once per decoded frame (see `Frame`), not once per output frame. */
  process(frame: Frame): Promise<PersonKeypoints[] | void>
  /**
   * The regions the latest process() call blurred, for regions.json: reviewers draw them over
   * the anonymized video to see what was hidden. Absent for processors that blur nothing.
   */
  blurred?(): BlurredRegion[]
  /** Statistics for metadata.json (e.g. regions blurred, people found). */
  finish?(): Promise<Record<string, unknown>>
  /**
   * Frees what the processor holds for this clip when the pipeline stops before finish() (a
   * failure, the time limit, a shutdown): on the vision thread, its session goes at once.
   */
  close?(): void
}

export interface PipelineOptions {
  fps: number
  width: number
  height: number
  keepAudio: boolean
  /** Keyframe interval in frames (a fixed GOP). */
  gop: number
  previewSeconds: number
  previewHeight: number
  ffmpegPath: string
  ffprobePath: string
  processors: FrameProcessor[]
  /** Niceness of each ffmpeg child, so the web role stays responsive on a shared machine (default 10). */
  niceness?: number
  /** Blur style requested for anonymization; recorded in metadata.json (the models issue applies it). */
  blur?: BlurStyle
}

export const BLUR_STYLES = ['gaussian', 'pixelate', 'solid'] as const
export type BlurStyle = (typeof BLUR_STYLES)[number]

export const DEFAULT_PIPELINE_OPTIONS: Omit<PipelineOptions, 'processors'> = {
  fps: 30,
  width: 1280,
  height: 720,
  keepAudio: false,
  gop: 60,
  previewSeconds: 10,
  previewHeight: 480,
  ffmpegPath: 'ffmpeg',
  ffprobePath: 'ffprobe',
}

/** What the caller knows about the clip, copied into metadata.json. */
export interface ClipDescription {
  clipId: string
  title?: string
  sport?: string
  activity?: string | null
  skillLevel?: string | null
  cameraAngle?: string | null
  venueType?: string | null
  recordedOn?: string | null
  tags?: string[]
  consentRecordId?: number | null
  consentTextVersion?: number | null
}

export type StepName = 'probe' | 'standardize' | 'thumbnail' | 'preview' | 'metadata'

/** The outputs and where each goes: ./outputs.ts. */
export type { OutputKind }

export interface OutputFile {
  kind: OutputKind
  path: string
  bytes: number
  sha256: string
  contentType: string
}

/** What keypoints.json holds, counted as it is written: publishing a dataset reads this, not the file. */
export interface KeypointStats {
  /** Distinct people (track ids) seen. */
  people: number
  /** Output frames with at least one person. */
  framesWithPeople: number
  frameCount: number
  fps: number
}

export interface PipelineResult {
  outputs: Record<OutputKind, OutputFile>
  keypointStats: KeypointStats
  /** Milliseconds per step that ran (skipped steps are absent). */
  timings: Partial<Record<StepName, number>>
  skipped: StepName[]
  metadata: Record<string, unknown>
}

export interface PipelineHooks {
  /** 0–100, monotonic, at most a few times a second. */
  onProgress?(percent: number): void
  onStep?(step: StepName, state: 'started' | 'done' | 'skipped'): void
  /** The source as probed (or recorded by an earlier run's probe): its declared length sets limits. */
  onProbed?(source: { durationSeconds: number }): void
  signal?: AbortSignal
}

export type PipelineErrorCode =
  | 'E_INPUT_UNREADABLE'
  | 'E_NO_VIDEO'
  | 'E_DECODE_FAILED'
  | 'E_ENCODE_FAILED'
  | 'E_PROCESSOR_FAILED'
  | 'E_MODELS_UNAVAILABLE'
  | 'E_ABORTED'
  | 'E_DURATION_MISMATCH'
  | 'E_TIME_LIMIT'

/** A failure with the step it happened in and a sentence a creator can read. */
export class PipelineError extends Error {
  constructor(
    readonly code: PipelineErrorCode,
    readonly step: StepName,
    message: string,
    readonly detail?: string
  ) {
    super(message)
  }
}
