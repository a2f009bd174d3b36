/**
 * Multi-person pose on one frame: the BlazePose detector (or the caller's boxes from the last
 * frame) gives one region per person, the landmark model gives 33 keypoints in each. The
 * detector is the expensive, tiled part, so a caller following people runs it every few frames
 * and passes last frame's boxes (or `PersonPose.next`) as hints in between.
 */
import type { Frame } from '../../pipeline/types.js'
import type { Box, Model } from '../types.js'
import { PoseDetector, iou } from './detector.js'
import { PoseLandmarker, roiFromBox, roiFromDetection, type Roi } from './landmarks.js'

export { roiFromBox, roiFromDetection, roiFromKeypoints, type Roi } from './landmarks.js'

export interface PersonPose {
  /** Box around the visible keypoints, in frame pixels. */
  bbox: Box
  /** Pose presence from the landmark model, 0–1. */
  score: number
  /** 33 BlazePose points: x, y in frame pixels, visibility 0–1. */
  keypoints: [number, number, number][]
  /** The region to look at for this person in the next frame (rotated; from the model's auxiliary points). */
  next: Roi
  /** The region this pose was found in (one of fromRois' `rois`). */
  roi: Roi
}

export interface EstimatorOptions {
  /** Minimum detector score (default 0.5). */
  threshold?: number
  maxPeople?: number
  /** Run the detector on overlapping tiles too, for small people (default false). */
  tiles?: boolean
  /** Minimum pose presence from the landmark model (default 0.5). */
  presence?: number
}

/** Two results whose keypoint boxes overlap this much are one person found twice. */
const DUPLICATE_IOU = 0.5
/**
 * A weaker result whose box lies this much inside a stronger one's is the same person too: a
 * second region on one body often yields a partial skeleton (head and arms) inside the full one.
 */
const DUPLICATE_INSIDE = 0.9

export class PoseEstimator {
  readonly detector: PoseDetector
  readonly landmarker: PoseLandmarker
  readonly maxPeople: number

  constructor(models: { detector: Model; landmarks: Model }, options: EstimatorOptions = {}) {
    this.maxPeople = options.maxPeople ?? 10
    this.detector = new PoseDetector(models.detector, {
      threshold: options.threshold,
      maxPeople: this.maxPeople,
      tiles: options.tiles,
    })
    this.landmarker = new PoseLandmarker(models.landmarks, options.presence ?? 0.5)
  }

  /**
   * People in `frame`, highest score first. With `hints` (person boxes or regions from the
   * previous frame) the detector is skipped and only those people are looked for: the caller
   * decides when to detect again, to pick up newcomers and people a hint lost.
   */
  async estimate(frame: Frame, hints?: (Box | Roi)[]): Promise<PersonPose[]> {
    const found = hints && hints.length > 0 ? [] : await this.detector.detect(frame)
    const rois =
      hints && hints.length > 0
        ? hints.map((hint) => ('size' in hint ? hint : roiFromBox(hint)))
        : found.map(roiFromDetection)
    return this.fromRois(frame, rois)
  }

  /** Landmarks in the given regions, duplicates (two regions on one person) removed. */
  async fromRois(frame: Frame, rois: Roi[]): Promise<PersonPose[]> {
    const people: PersonPose[] = []
    const results = await this.landmarker.run(frame, rois)
    for (const result of results) {
      if (!result || result.bbox.width <= 0 || result.bbox.height <= 0) continue
      people.push({
        bbox: result.bbox,
        score: result.score,
        keypoints: result.keypoints,
        next: result.next,
        roi: result.roi,
      })
    }
    return this.distinct(people)
  }

  /**
   * The best-scored of each group of results on one person (boxes overlapping, or one inside
   * another), highest score first, at most maxPeople: two regions on one body, from the
   * detector and a hint, or from the frame upright and turned (./inverted.ts).
   */
  distinct(people: PersonPose[]): PersonPose[] {
    people = [...people].sort((a, b) => b.score - a.score)
    const kept: PersonPose[] = []
    for (const person of people) {
      if (
        kept.some(
          (other) =>
            iou(other.bbox, person.bbox) > DUPLICATE_IOU ||
            inside(person.bbox, other.bbox) > DUPLICATE_INSIDE
        )
      )
        continue
      kept.push(person)
      if (kept.length >= this.maxPeople) break
    }
    return kept
  }
}

/** The fraction of `a`'s area that lies inside `b`. */
function inside(a: Box, b: Box) {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x))
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y))
  const area = a.width * a.height
  return area > 0 ? (ix * iy) / area : 1
}
