/**
 * What the vision steps do and how hard they try. The defaults are what a league gets without
 * setting anything; config/athera.ts maps the environment onto these.
 */
import type { BlurStyle } from '../pipeline/types.js'
import type { ExecutionProvider } from './types.js'

export const TEXT_MODES = ['numbers', 'identifying', 'all'] as const
export type TextMode = (typeof TEXT_MODES)[number]

/**
 * Words in a clip's sport that say its people turn upside down (./pose/inverted.ts). The
 * appliance's sports are an admin's free list (Settings → sports), so a sport matches when one
 * of these is one of its words or word pairs ("Artistic gymnastics", "Pole vault", "cheer").
 */
export const INVERTED_SPORTS: readonly string[] = [
  'acrobatics',
  'acrobatic',
  'gymnastics',
  'gymnastic',
  'tumbling',
  'trampoline',
  'trampolining',
  'diving',
  'cheerleading',
  'cheer',
  'breakdance',
  'breakdancing',
  'breaking',
  'parkour',
  'freerunning',
  'capoeira',
  'circus',
  'aerial',
  'aerials',
  'pole vault',
  'pole dance',
  'pole dancing',
  'high jump',
  'calisthenics',
  'acroyoga',
  'yoga',
]

export const POSE_MODELS = ['lite', 'full', 'heavy'] as const
export type PoseModel = (typeof POSE_MODELS)[number]

export interface VisionSettings {
  /** Where converted models are kept (keyed by the source file's sha256). */
  cacheDir: string
  provider: ExecutionProvider
  /**
   * onnxruntime intra-op threads per model run. With the lane, only the models whose runs
   * split well over threads (the text detector) get them; the others run on one thread each,
   * two at a time.
   */
  threads: number
  /** Run the face models on a second thread, alongside pose and text (./runtime/lane.ts). */
  lane: boolean
  faces: {
    /** Detector score from which a face is blurred (0–1); lower blurs more. */
    threshold: number
    /** Run the full-range model on overlapping tiles too, for small faces in wide shots. */
    tiles: boolean
    /**
     * Tile grids by tile side in frame pixels: small tiles find small faces (a 200 px tile brings
     * a 20 px face to ~19 px of model input), larger ones the faces small tiles cut; every tile
     * is a model run, spread over keyframes in a video.
     */
    tileSizes: number[]
    /**
     * A video runs the SSD face detector on one of its squares every this-many keyframes (a
     * still picture on all of them): ~20 ms a run on two CPU cores. 1 on a GPU.
     */
    ssdEvery: number
  }
  text: {
    /**
     * `numbers`: text regions with a digit (shirt numbers, bibs); `identifying`: numbers and names
     * on people, sponsor and team words left (./text/classify.ts); `all`: every text region.
     */
    mode: TextMode
  }
  /** Every blurred box is grown by this fraction of its size on each side. */
  margin: number
  blur: BlurStyle
  pose: {
    model: PoseModel
    /**
     * Sports (words of a clip's sport) whose keyframes are also searched turned upside down for
     * bodies the person detector misses inverted (./pose/inverted.ts).
     */
    invertedSports: readonly string[]
  }
  /**
   * Detectors run on every `detectEvery`-th decoded frame; in between, trackers carry each box
   * forward (a face or number is blurred in every frame either way). 1 = detect on every frame.
   */
  detectEvery: number
}

export const DEFAULT_VISION_SETTINGS: Omit<VisionSettings, 'cacheDir'> = {
  provider: 'cpu',
  threads: 2,
  lane: true,
  faces: { threshold: 0.35, tiles: true, tileSizes: [200, 320], ssdEvery: 3 },
  text: { mode: 'identifying' },
  margin: 0.2,
  blur: 'gaussian',
  pose: { model: 'lite', invertedSports: INVERTED_SPORTS },
  detectEvery: 2,
}

/**
 * Whether a process runs the model lane when VISION_LANE does not say: not where it also
 * serves the web. The lane keeps a third busy thread on a two-core machine, and the event loop
 * then stalled up to ~210 ms while ffmpeg was spawned (process_clip.spec's 200 ms bound failed
 * 2 runs in 9); a worker-only process serves no request and takes the frames per second.
 */
export function laneByDefault(roles: readonly string[]) {
  return DEFAULT_VISION_SETTINGS.lane && !roles.includes('web')
}

type Group = 'faces' | 'text' | 'pose'

/**
 * What a caller sets on top of the defaults: any field, a group (`faces`, `text`, `pose`) in
 * part; `undefined` leaves the default, so an unset environment variable or flag passes through.
 */
export type VisionOverrides = { cacheDir: string } & {
  [K in Exclude<keyof VisionSettings, Group | 'cacheDir'>]?: VisionSettings[K] | undefined
} & {
  [K in Group]?: { [F in keyof VisionSettings[K]]?: VisionSettings[K][F] | undefined }
}

/**
 * The one place settings are merged: the application's config, the `clip:process` command, the
 * benchmark, the privacy evaluation's anonymizer all start from DEFAULT_VISION_SETTINGS and set
 * only what they name, group by group.
 */
export function resolveVisionSettings(overrides: VisionOverrides): VisionSettings {
  const { faces, text, pose, ...rest } = overrides
  return {
    ...DEFAULT_VISION_SETTINGS,
    ...defined(rest),
    cacheDir: overrides.cacheDir,
    faces: { ...DEFAULT_VISION_SETTINGS.faces, ...defined(faces ?? {}) },
    text: { ...DEFAULT_VISION_SETTINGS.text, ...defined(text ?? {}) },
    pose: { ...DEFAULT_VISION_SETTINGS.pose, ...defined(pose ?? {}) },
  }
}

function defined<T extends object>(values: T) {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>
  }
}
