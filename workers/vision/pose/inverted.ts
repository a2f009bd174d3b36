/**
 * Bodies upside down: BlazePose's person detector, led by the face and trained on people
 * standing, misses many a body in a handstand, a dive or a flic-flac, and a person it does not
 * find gets no pose and so no head region. The same detector run on the frame turned 180° sees
 * those bodies upright; its detections, turned back, give the landmark model regions rotated
 * the right way (a region's rotation comes from the detection's own hip-to-body-circle line).
 *
 * That costs a second detector run (on a video's keyframe the whole frame only) and
 * the landmark model on each region it adds, so it runs only where inverted bodies are
 * expected: on every keyframe of a clip whose sport turns people over (INVERTED_SPORTS), and
 * on the keyframes shortly after pose saw someone upside down (a fall, a cartwheel in any
 * sport). The keyframe where pose first sees someone upside down is not searched turned
 * itself (the decision is taken before its pose is known, so the landmark model runs once, on
 * what both detector runs found); the next keyframe is, VISION_DETECT_EVERY frames later, and
 * whoever it finds is followed from then on. A single picture has no frames before it: its sport alone decides.
 */
import type { Keypoint } from '../../pipeline/types.js'
import { turnPoint } from '../turn.js'
import { bodyBox, type PoseDetection } from './detector.js'
import { headAngle } from './head.js'
import { INVERTED_SPORTS } from '../settings.js'

/** A head turned this far from upright (degrees) is upside down: the body is likely inverted too. */
export const INVERTED_DEGREES = 120
/** After pose last saw someone upside down, keyframes keep being searched turned for this long. */
export const INVERTED_RECENT_MS = 4000

/** Whether a clip's sport (as the uploader picked it) is one where bodies turn upside down. */
export function sportTurnsPeopleOver(
  sport: string | null | undefined,
  sports: readonly string[] = INVERTED_SPORTS
) {
  if (!sport) return false
  const words = sport
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
  const phrases = new Set([...words, ...words.slice(1).map((word, i) => `${words[i]} ${word}`)])
  return sports.some((name) => phrases.has(name.toLowerCase().trim().replace(/\s+/g, ' ')))
}

/** Whether any of these people (33 BlazePose keypoints each) has their head upside down. */
export function anyoneInverted(people: readonly (readonly Keypoint[])[]) {
  return people.some((keypoints) => Math.abs(headAngle(keypoints)) >= INVERTED_DEGREES)
}

export type InvertedReason = 'sport' | 'seen'

/**
 * When a clip's keyframes are searched turned: `sport` (the clip's sport turns people over:
 * every keyframe) or `seen` (pose saw someone upside down on a frame before, at most
 * INVERTED_RECENT_MS before). Never between keyframes: the people found are followed from
 * their regions like everyone else.
 */
export class InvertedSearchPlan {
  readonly bySport: boolean
  #lastSeenMs = Number.NEGATIVE_INFINITY

  constructor(options: { sport?: string | null; sports?: readonly string[] }) {
    this.bySport = sportTurnsPeopleOver(options.sport, options.sports)
  }

  /** Notes the people pose found on a frame at `timeMs`. */
  saw(timeMs: number, people: readonly (readonly Keypoint[])[]) {
    if (anyoneInverted(people)) this.#lastSeenMs = Math.max(this.#lastSeenMs, timeMs)
  }

  /** Why keyframe at `timeMs` is searched turned, or null when it is not (or is no keyframe). */
  reason(timeMs: number, keyframe: boolean): InvertedReason | null {
    if (!keyframe) return null
    if (this.bySport) return 'sport'
    return timeMs > this.#lastSeenMs && timeMs - this.#lastSeenMs <= INVERTED_RECENT_MS
      ? 'seen'
      : null
  }
}

/**
 * A detection made on a `width × height` frame turned 180°, in the frame's own pixels: its four
 * alignment points turned back (so its region comes out turned too), its box around them.
 */
export function detectionFromTurned(
  detection: PoseDetection,
  width: number,
  height: number
): PoseDetection {
  const keypoints = detection.keypoints.map(([x, y]) => turnPoint(x, y, width, height, 180))
  return { ...bodyBox(keypoints), score: detection.score, keypoints }
}
