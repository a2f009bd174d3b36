/**
 * The models the vision processors use, loaded once per worker process (converted first where
 * needed) and shared by every clip: a clip's processors (./processors.ts) hold only its trackers
 * and statistics.
 */
import { readFileSync } from 'node:fs'
import type { FaceDetectorOptions, FaceSearch } from './faces/detector.js'
import {
  ANONYMIZE_MODELS,
  MODELS,
  TEXT_DICTIONARY,
  modelPath,
  packageFile,
  type ModelName,
  type ModelSource,
} from './models.js'
import type { VisionRuntime } from './runtime/runtime.js'
import type { VisionSettings } from './settings.js'
import { loadDictionary } from './text/recognize.js'
import type { Model } from './types.js'

export interface VisionModels {
  faceShort: Model
  faceFull: Model
  faceSsd: Model
  /** Whole-body person boxes for the text reader (people pose does not find). */
  personDetector: Model
  textDetector: Model
  textRecognizer: Model
  dictionary: string[]
  poseDetector: Model
  poseLandmarks: Model
  /** `package@version/file` of each model used, for metadata.json. */
  versions: Record<string, string>
  /** With the face models on a lane: a face search that runs there whole. */
  faceSearch?: (options: Partial<FaceDetectorOptions>) => FaceSearch
}

/**
 * The models a runtime with a lane runs there (see ./runtime/lane.ts): the face search, which needs
 * nothing from pose or text, and the body detector, which runs beside the whole-frame text
 * detector on a text turn.
 */
export const LANE_MODELS: readonly ModelName[] = [
  'face-short',
  'face-full',
  'face-ssd',
  'person-centernet',
]

/** Loads (converting first where needed) every model the processors use. */
export async function loadVisionModels(
  runtime: VisionRuntime,
  settings: VisionSettings
): Promise<VisionModels> {
  const landmarks: ModelName = `pose-landmark-${settings.pose.model}`
  const names: ModelName[] = [...ANONYMIZE_MODELS, 'pose-detector', landmarks]
  const loaded = {} as Record<ModelName, Model>
  for (const name of names) {
    const source: ModelSource = MODELS[name]
    // With a lane, the models that do not split well take one core each, side by side;
    // without one, the second thread is all a run can get from the other core.
    const threads = source.splits || !settings.lane ? settings.threads : 1
    loaded[name] = await runtime.load(name, await modelPath(name, settings.cacheDir), threads)
  }
  const versions: Record<string, string> = {}
  for (const name of names) versions[name] = modelVersion(name)
  const lane = runtime.lane
  return {
    faceSearch:
      lane &&
      ((options) =>
        lane.faceSearch({ short: 'face-short', full: 'face-full', ssd: 'face-ssd' }, options)),
    // The look again after a keyframe's search (#findFaces) runs here, on a session of its own:
    // the vision thread waits for it, and on the lane it waited for the model run under way
    // there too (about 55 ms a keyframe on the arm-wrestling clip, for 8 ms of work).
    faceShort: lane
      ? await runtime.load('face-short', await modelPath('face-short', settings.cacheDir), 1, {
          here: true,
        })
      : loaded['face-short'],
    faceFull: loaded['face-full'],
    faceSsd: loaded['face-ssd'],
    personDetector: loaded['person-centernet'],
    textDetector: loaded['text-detector'],
    textRecognizer: loaded['text-recognizer'],
    dictionary: await loadDictionary(packageFile(TEXT_DICTIONARY.package, TEXT_DICTIONARY.file)),
    poseDetector: loaded['pose-detector'],
    poseLandmarks: loaded[landmarks],
    versions,
  }
}

function modelVersion(name: ModelName) {
  const source = MODELS[name]
  const { version } = JSON.parse(readFileSync(packageFile(source.package, 'package.json'), 'utf8'))
  return `${source.package}@${version}/${source.file}`
}
