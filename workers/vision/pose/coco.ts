/**
 * Keypoint names and the BlazePose-33 → COCO-17 mapping, so keypoints.json can be read by tools
 * that speak COCO (the common format of pose datasets and evaluation).
 */

export const BLAZEPOSE_33_NAMES = [
  'nose',
  'left_eye_inner',
  'left_eye',
  'left_eye_outer',
  'right_eye_inner',
  'right_eye',
  'right_eye_outer',
  'left_ear',
  'right_ear',
  'mouth_left',
  'mouth_right',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_pinky',
  'right_pinky',
  'left_index',
  'right_index',
  'left_thumb',
  'right_thumb',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
  'left_heel',
  'right_heel',
  'left_foot_index',
  'right_foot_index',
] as const

export const COCO_17_NAMES = [
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
] as const

/** For each COCO keypoint, the BlazePose index it is taken from (the eyes are the eye centres). */
export const COCO_FROM_BLAZEPOSE: readonly number[] = COCO_17_NAMES.map((name) =>
  BLAZEPOSE_33_NAMES.indexOf(name)
)

/** COCO's limb list, as pairs of COCO-17 indices (0-based). */
export const COCO_SKELETON: readonly (readonly [number, number])[] = [
  [15, 13],
  [13, 11],
  [16, 14],
  [14, 12],
  [11, 12],
  [5, 11],
  [6, 12],
  [5, 6],
  [5, 7],
  [6, 8],
  [7, 9],
  [8, 10],
  [1, 2],
  [0, 1],
  [0, 2],
  [1, 3],
  [2, 4],
  [3, 5],
  [4, 6],
]

/** The 17 COCO keypoints from 33 BlazePose ones (copies; x, y, visibility as given). */
export function toCoco17<T extends readonly number[]>(keypoints33: readonly T[]): T[] {
  if (keypoints33.length < 33)
    throw new Error(`toCoco17 needs 33 BlazePose keypoints, got ${keypoints33.length}`)
  return COCO_FROM_BLAZEPOSE.map((index) => [...keypoints33[index]] as unknown as T)
}
