/**
 * A person's face region from their pose landmarks: a second way to find a face, for the faces
 * BlazeFace misses on people pose has found anyway (goggles, helmets, profiles, a hand over the
 * mouth, motion blur). Proportions measured on the 24 labelled faces of the privacy evaluation
 * that pose also found (eval/privacy): the labelled face is 2.9 (2.4–3.5) times as high as the
 * eyes are above the mouth, and 1.3 times as wide as the ears are apart when the face is
 * frontal; in profile, where both collapse, the nose-to-ear distance is about 0.75 of the width.
 *
 * None of these depends on which way the head is turned: a person lying, upside down in a
 * handstand or cartwheeling gets the same face, its long side along the head's own axis.
 */
import type { Keypoint } from '../../pipeline/types.js'
import type { Box } from '../types.js'

/** Least visibility of the nose and of the better eye for a head to be placed at all. */
export const HEAD_VISIBILITY = 0.5

const NOSE = 0
const LEFT_EYE = 2
const RIGHT_EYE = 5
const LEFT_EAR = 7
const RIGHT_EAR = 8
const MOUTH_LEFT = 9
const MOUTH_RIGHT = 10
const LEFT_SHOULDER = 11
const RIGHT_SHOULDER = 12
const FACE_POINTS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]

/** Face height over the eye-to-mouth distance. */
const HEIGHT_PER_EYE_MOUTH = 2.9
/** Face width over the ear-to-ear distance (frontal) and over the longer nose-to-ear one (profile). */
const WIDTH_PER_EARS = 1.3
const WIDTH_PER_NOSE_EAR = 1.35
/** A face is about this much higher than wide. */
const ASPECT = 1.15
/**
 * A face is at least this share of the shoulder width: a floor for a head whose face points
 * crowd together (seen from above or below, foreshortened in a dive), where the face-point
 * spread alone gives too small a face. Heads are about 0.4 of the shoulders' width across.
 */
const WIDTH_PER_SHOULDERS = 0.35
/** Least visibility of the points that say which way is up (shoulders, eyes, mouth). */
const AXIS_VISIBILITY = 0.5
/** A head turned further than this from upright (degrees) is not upright (the face detector's own tolerance is smaller). */
export const UPRIGHT_DEGREES = 40

export interface HeadBox extends Box {
  score: number
  /** The head's tilt from upright in degrees, clockwise as the picture shows it (-180, 180]: 180 is upside down. */
  angle: number
  /** The face's size across and along the head's own axis, before the frame-aligned box was taken. */
  across: number
  along: number
}

/**
 * The face box (before any blur margin) of one person's 33 BlazePose keypoints in frame
 * pixels, or undefined when the face points are not visible enough to place it. The box is
 * the frame-aligned bound of the face ellipse turned by `angle`.
 */
export function headBox(keypoints: readonly Keypoint[]): HeadBox | undefined {
  if (keypoints.length < 11) return undefined
  const score = Math.min(
    keypoints[NOSE][2],
    Math.max(keypoints[LEFT_EYE][2], keypoints[RIGHT_EYE][2])
  )
  if (!(score >= HEAD_VISIBILITY)) return undefined
  const eyeMouth = distance(
    mid(keypoints, LEFT_EYE, RIGHT_EYE),
    mid(keypoints, MOUTH_LEFT, MOUTH_RIGHT)
  )
  const ears = distance(keypoints[LEFT_EAR], keypoints[RIGHT_EAR])
  const noseEar = Math.max(
    distance(keypoints[NOSE], keypoints[LEFT_EAR]),
    distance(keypoints[NOSE], keypoints[RIGHT_EAR])
  )
  const shoulders = visible(keypoints, LEFT_SHOULDER, RIGHT_SHOULDER)
    ? distance(keypoints[LEFT_SHOULDER], keypoints[RIGHT_SHOULDER])
    : 0
  const across = Math.max(
    (HEIGHT_PER_EYE_MOUTH * eyeMouth) / ASPECT,
    WIDTH_PER_EARS * ears,
    WIDTH_PER_NOSE_EAR * noseEar,
    WIDTH_PER_SHOULDERS * shoulders
  )
  if (!(across > 0)) return undefined
  const along = across * ASPECT
  let cx = 0
  let cy = 0
  for (const index of FACE_POINTS) {
    cx += keypoints[index][0] / FACE_POINTS.length
    cy += keypoints[index][1] / FACE_POINTS.length
  }
  const angle = headAngle(keypoints)
  // The bound of an ellipse with these axes turned by the angle.
  const radians = (angle * Math.PI) / 180
  const [a, b] = [across / 2, along / 2]
  const halfWidth = Math.hypot(a * Math.cos(radians), b * Math.sin(radians))
  const halfHeight = Math.hypot(a * Math.sin(radians), b * Math.cos(radians))
  return {
    x: cx - halfWidth,
    y: cy - halfHeight,
    width: 2 * halfWidth,
    height: 2 * halfHeight,
    score,
    angle,
    across,
    along,
  }
}

/**
 * Which way the head's top points, as an angle from straight up (clockwise in picture
 * coordinates, degrees): from the mouth to the eyes (the face's own axis, which is what a face
 * detector needs upright) when both pairs are seen, else from the shoulders' middle to the
 * nose; 0 when neither is seen well enough.
 */
export function headAngle(keypoints: readonly Keypoint[]): number {
  let from: [number, number] | undefined
  let to: [number, number] | undefined
  if (visible(keypoints, LEFT_EYE, RIGHT_EYE) && visible(keypoints, MOUTH_LEFT, MOUTH_RIGHT)) {
    from = mid(keypoints, MOUTH_LEFT, MOUTH_RIGHT)
    to = mid(keypoints, LEFT_EYE, RIGHT_EYE)
  } else if (
    visible(keypoints, LEFT_SHOULDER, RIGHT_SHOULDER) &&
    keypoints[NOSE][2] >= AXIS_VISIBILITY
  ) {
    from = mid(keypoints, LEFT_SHOULDER, RIGHT_SHOULDER)
    to = [keypoints[NOSE][0], keypoints[NOSE][1]]
  }
  if (!from || !to || distance(from, to) === 0) return 0
  // Up is -y in the picture: an upright head points to (0, -1), angle 0; (1, 0) is 90.
  const degrees = (Math.atan2(to[0] - from[0], from[1] - to[1]) * 180) / Math.PI
  return degrees === -180 ? 180 : degrees
}

const distance = (a: readonly number[], b: readonly number[]) =>
  Math.hypot(a[0] - b[0], a[1] - b[1])
const mid = (keypoints: readonly Keypoint[], a: number, b: number): [number, number] => [
  (keypoints[a][0] + keypoints[b][0]) / 2,
  (keypoints[a][1] + keypoints[b][1]) / 2,
]
const visible = (keypoints: readonly Keypoint[], a: number, b: number) =>
  keypoints.length > Math.max(a, b) &&
  keypoints[a][2] >= AXIS_VISIBILITY &&
  keypoints[b][2] >= AXIS_VISIBILITY
