/**
 * A person's face region from their pose landmarks: a second way to find a face, for the faces
 * BlazeFace misses on people pose has found anyway (goggles, helmets, profiles, a hand over the
 * mouth, motion blur). Proportions measured on the 24 labelled faces of the privacy evaluation
 * that pose also found (eval/privacy): the labelled face is 2.9 (2.4–3.5) times as high as the
 * eyes are above the mouth, and 1.3 times as wide as the ears are apart when the face is
 * frontal; in profile, where both collapse, the nose-to-ear distance is about 0.75 of the width.
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
const FACE_POINTS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]

/** Face height over the eye-to-mouth distance. */
const HEIGHT_PER_EYE_MOUTH = 2.9
/** Face width over the ear-to-ear distance (frontal) and over the longer nose-to-ear one (profile). */
const WIDTH_PER_EARS = 1.3
const WIDTH_PER_NOSE_EAR = 1.35
/** A face is about this much higher than wide. */
const ASPECT = 1.15

/**
 * The face box (before any blur margin) of one person's 33 BlazePose keypoints in frame
 * pixels, or undefined when the face points are not visible enough to place it.
 */
export function headBox(keypoints: readonly Keypoint[]): (Box & { score: number }) | undefined {
  if (keypoints.length < 11) return undefined
  const score = Math.min(keypoints[NOSE][2], Math.max(keypoints[LEFT_EYE][2], keypoints[RIGHT_EYE][2]))
  if (!(score >= HEAD_VISIBILITY)) return undefined
  const distance = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0] - b[0], a[1] - b[1])
  const mid = (a: number, b: number): [number, number] => [(keypoints[a][0] + keypoints[b][0]) / 2, (keypoints[a][1] + keypoints[b][1]) / 2]
  const eyeMouth = distance(mid(LEFT_EYE, RIGHT_EYE), mid(MOUTH_LEFT, MOUTH_RIGHT))
  const ears = distance(keypoints[LEFT_EAR], keypoints[RIGHT_EAR])
  const noseEar = Math.max(distance(keypoints[NOSE], keypoints[LEFT_EAR]), distance(keypoints[NOSE], keypoints[RIGHT_EAR]))
  const width = Math.max((HEIGHT_PER_EYE_MOUTH * eyeMouth) / ASPECT, WIDTH_PER_EARS * ears, WIDTH_PER_NOSE_EAR * noseEar)
  const height = width * ASPECT
  if (!(width > 0)) return undefined
  let cx = 0
  let cy = 0
  for (const index of FACE_POINTS) {
    cx += keypoints[index][0] / FACE_POINTS.length
    cy += keypoints[index][1] / FACE_POINTS.length
  }
  return { x: cx - width / 2, y: cy - height / 2, width, height, score }
}
