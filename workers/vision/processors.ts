/**
 * The vision frame processors the pipeline runs between decode and encode:
 *
 *   pose (on the original frame) → anonymize (faces, shirt numbers and names blurred in place)
 *
 * Models are loaded once per worker process (`loadVisionModels`) and shared by every clip;
 * processors are made per clip (`createVisionProcessors`) because they hold that clip's
 * trackers and statistics. Detectors run on every `detectEvery`-th decoded frame and trackers
 * carry boxes through the frames between, so every frame is blurred whatever the schedule.
 */
import type { FrameProcessor, Keypoint } from '../pipeline/types.js'
import { AnonymizeProcessor } from './anonymize/processor.js'
import { PoseProcessor } from './pose/processor.js'
import type { VisionSettings } from './settings.js'
import type { Box } from './types.js'
import type { VisionModels } from './vision_models.js'

export { AnonymizeProcessor } from './anonymize/processor.js'
export { PoseProcessor } from './pose/processor.js'
export { LANE_MODELS, loadVisionModels, type VisionModels } from './vision_models.js'

/** What the pose processor tells the anonymizer about the frame they both see. */
export interface SharedFrameState {
  frameIndex: number
  people: { trackId: number; box: Box; keypoints: Keypoint[] }[]
}

/**
 * What a clip's processors are told about it besides its frames. `still`: the frames are
 * unrelated pictures, each searched in full (no schedule, no tracking gain). `sport`: the
 * uploader's sport, which may say that bodies turn upside down (./pose/inverted.ts).
 */
export interface ClipHints {
  still?: boolean
  sport?: string | null
}

export function createVisionProcessors(
  models: VisionModels,
  settings: VisionSettings,
  options: ClipHints = {}
): FrameProcessor[] {
  const shared: SharedFrameState = { frameIndex: -1, people: [] }
  return [
    new PoseProcessor(models, settings, shared, options),
    new AnonymizeProcessor(models, settings, shared, options),
  ]
}
