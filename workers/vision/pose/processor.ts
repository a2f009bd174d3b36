import type { Frame, FrameProcessor, Keypoint, PersonKeypoints } from '../../pipeline/types.js'
import { BoxTracker } from '../anonymize/track.js'
import type { ClipHints, SharedFrameState } from '../processors.js'
import type { VisionSettings } from '../settings.js'
import { turnFrame } from '../turn.js'
import type { VisionModels } from '../vision_models.js'
import { PoseEstimator, roiFromDetection, type Roi } from './estimator.js'
import { InvertedSearchPlan, detectionFromTurned } from './inverted.js'
import { KeypointSmoother } from './smooth.js'

/**
 * Multi-person pose on the unblurred frame: the detector on keyframes, and in between each
 * known person followed from their previous box. Track ids come from a box tracker; raw and
 * One-Euro-smoothed keypoints are both reported.
 *
 * The whole-frame detector sees the frame at 224 px and misses people under about a fifth of
 * its height (a wide shot's players): each keyframe also runs one of its overlapping tiles, in
 * turn, so a small newcomer is found within a round of tiles and followed from then on. A
 * still picture runs them all.
 *
 * The detector misses many bodies upside down: where the clip's sport or what pose saw says
 * there are some, a keyframe is also searched turned 180° (./inverted.ts).
 */
export class PoseProcessor implements FrameProcessor {
  readonly name = 'pose'
  readonly role = 'pose' as const
  readonly version: string
  #estimator: PoseEstimator
  #tracker = new BoxTracker({ iouThreshold: 0.2, maxMissed: 15, margin: 0 })
  #smoother = new KeypointSmoother()
  #every: number
  #previous: Roi[] = []
  #frames = 0
  #people = 0
  #maxPeople = 0
  #tracks = new Set<number>()
  #keyframes = 0
  #still: boolean
  #inverted: InvertedSearchPlan
  /** Keyframes also searched turned 180°, and the people found only there (summed over keyframes). */
  #invertedSearches = 0
  #invertedPeople = 0

  constructor(
    models: VisionModels,
    settings: VisionSettings,
    private shared: SharedFrameState,
    options: ClipHints = {}
  ) {
    this.#still = options.still ?? false
    this.#inverted = new InvertedSearchPlan({
      sport: options.sport,
      sports: settings.pose.invertedSports,
    })
    this.#estimator = new PoseEstimator({
      detector: models.poseDetector,
      landmarks: models.poseLandmarks,
    })
    this.#every = settings.detectEvery
    this.version = `${models.versions['pose-detector']} + ${models.versions[`pose-landmark-${settings.pose.model}`]}`
  }

  async process(frame: Frame): Promise<PersonKeypoints[]> {
    // Everyone known is followed from last frame's region; on keyframes the detector adds
    // newcomers (a detection on someone already followed would only run their landmarks twice).
    let rois = this.#previous
    const keyframe = frame.index % this.#every === 0
    if (keyframe || rois.length === 0) {
      const tiles = this.#still || [this.#keyframes++]
      const detections = await this.#estimator.detector.detect(frame, { tiles })
      const detected = detections.map(roiFromDetection)
      rois = [...rois, ...detected.filter((roi) => !rois.some((known) => sameRegion(known, roi)))]
    }
    // Searched upside down too as the sport and the frames before say (a picture: its sport alone).
    const turned = this.#inverted.reason(frame.timeMs, keyframe || this.#still)
      ? await this.#searchTurned(frame, rois)
      : []
    const poses = await this.#estimator.fromRois(frame, [...rois, ...turned])
    this.#invertedPeople += poses.filter((pose) => turned.includes(pose.roi)).length
    this.#inverted.saw(
      frame.timeMs,
      poses.map((pose) => pose.keypoints)
    )
    this.#tracker.update(
      frame.index,
      poses.map((pose) => ({ ...pose.bbox, score: pose.score }))
    )
    const people: PersonKeypoints[] = []
    for (const [index, pose] of poses.entries()) {
      const id = this.#tracker.assigned[index]
      this.#tracks.add(id)
      const keypoints = pose.keypoints.map(clampScore)
      people.push({
        trackId: id,
        bbox: [
          round(pose.bbox.x),
          round(pose.bbox.y),
          round(pose.bbox.width),
          round(pose.bbox.height),
        ],
        score: round(Math.min(1, Math.max(0, pose.score)), 3),
        keypoints: keypoints.map(roundKeypoint),
        smoothed: this.#smoother
          .smooth(id, frame.timeMs, keypoints)
          .map(clampScore)
          .map(roundKeypoint),
      })
    }
    // Each person's region for the next frame, from the landmark model's own alignment points.
    this.#previous = poses.map((pose) => pose.next)
    this.shared.frameIndex = frame.index
    this.shared.people = poses.map((pose, index) => ({
      trackId: people[index].trackId,
      box: pose.bbox,
      keypoints: pose.keypoints,
    }))
    this.#frames++
    this.#people += people.length
    this.#maxPeople = Math.max(this.#maxPeople, people.length)
    return people
  }

  /**
   * The regions of the people the detector finds on the frame turned 180°, turned back, but
   * those on a body a region in `rois` already covers the same way up. A body found both ways
   * keeps the better-scored of its two poses (PoseEstimator.fromRois). A video's keyframe is
   * searched whole, without its tile: an athlete upside down is mostly the picture's subject,
   * not a small figure far off, and the tile would double the cost (a picture runs them all).
   */
  async #searchTurned(frame: Frame, rois: Roi[]) {
    this.#invertedSearches++
    const found = await this.#estimator.detector.detect(turnFrame(frame, 180), {
      tiles: this.#still,
    })
    return found
      .map((detection) =>
        roiFromDetection(detectionFromTurned(detection, frame.width, frame.height))
      )
      .filter((roi) => !rois.some((known) => sameRegion(known, roi) && sameWayUp(known, roi)))
  }

  async finish() {
    return {
      frames: this.#frames,
      personDetections: this.#people,
      maxPeopleInAFrame: this.#maxPeople,
      tracks: this.#tracks.size,
      detectEvery: this.#every,
      // What looking for bodies upside down cost (one detector run on the frame turned 180° per
      // keyframe searched, plus the landmark model on what it found) and what it found.
      invertedSearch: {
        bySport: this.#inverted.bySport,
        keyframes: this.#invertedSearches,
        people: this.#invertedPeople,
      },
    }
  }
}

/**
 * What the face search covers on the `turn`-th keyframe of a video: the first searches the

/** Two regions on one person: centres closer than half the smaller side. */
function sameRegion(a: Roi, b: Roi) {
  return Math.hypot(a.cx - b.cx, a.cy - b.cy) < Math.min(a.size, b.size) / 2
}

/** Two regions turned within a quarter turn of each other: the landmark model sees the body the same way up in both. */
function sameWayUp(a: Roi, b: Roi) {
  const difference = Math.abs(a.rotation - b.rotation) % (2 * Math.PI)
  return Math.min(difference, 2 * Math.PI - difference) < Math.PI / 2
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits
const clampScore = ([x, y, score]: Keypoint): Keypoint => [x, y, Math.min(1, Math.max(0, score))]
const roundKeypoint = ([x, y, score]: Keypoint): Keypoint => [round(x), round(y), round(score, 3)]
